"""Monitoring (veille): where mentions come from, the mentions, what the cell watches, and alerts.

Volumes are kept as per-minute counters (VolumeCounter), written by ingestion in the
same transaction as the mentions: detection and charts read counters, never recount rows.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import problems


class SourceKind(models.TextChoices):
    API = "api", _("Ingestion API")
    RSS = "rss", _("RSS/Atom feed")
    MASTODON = "mastodon", _("Mastodon")
    FILE = "file", _("File import")


class Source(models.Model):
    """Where mentions come from; every source belongs to one cell.

    Polled sources (RSS, Mastodon) keep their polling state here: the conditional-GET
    validators, the Mastodon cursor, when to poll next, and the last success and error,
    which the cell's admins see."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="monitoring_sources")
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("address"), max_length=500, blank=True)
    # Mastodon: {"timeline": "hashtag"|"search", "query": "..."}
    config = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    poll_interval_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=300)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    since_id = models.CharField(max_length=64, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)  # in English, for logs
    # The same as data ({"code", "params"}: monitoring/problems.py), worded for the reader.
    last_problem = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["cell", "name"], name="monitoring_source_name_per_cell")]
        indexes = [models.Index(fields=["kind", "next_poll_at"], name="monitoring_source_due")]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    @property
    def last_error_text(self) -> str:
        """The last error in the active language."""
        return problems.word(self.last_problem, self.last_error)


# A drill's exercise source has this key in its `config` (drills.mentions): its mentions are synthetic,
# shown like others but never counted in the volumes, never a real alert's evidence, never in a real queue.
EXERCISE_KEY = "exercise"


def exercise_mentions(path: str = "source") -> Q:
    """Q for the mentions (reached through `path`, the mention's source) of drills' exercise sources."""
    return Q(**{f"{path}__config__has_key": EXERCISE_KEY})


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class IngestToken(models.Model):
    """A token that may only push mentions into one source of one cell.

    Only its digest is stored: the key is shown once, when it is made. It is not a user's
    token (rest_framework.authtoken): user tokens cannot ingest, and this one can do
    nothing else (the ingestion endpoint is the only one that reads it)."""

    PREFIX = "cci_"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=120)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ingestion token")
        verbose_name_plural = _("ingestion tokens")

    def __str__(self):
        return self.name

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Tone(models.IntegerChoices):
    NEGATIVE = -1, _("Negative")
    NEUTRAL = 0, _("Neutral")
    POSITIVE = 1, _("Positive")


class Mention(models.Model):
    """What someone said online. Once per (source, external id): the same post arriving
    again updates its metrics, never a second row. Written by strangers: always escaped."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mentions")
    # Denormalised from the source: every read filters by cell first.
    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=200)
    author_handle = models.CharField(_("author"), max_length=200, blank=True)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    author_reach = models.BigIntegerField(_("reach"), default=0)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    url = models.CharField(_("address"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("published at"))
    received_at = models.DateTimeField(default=timezone.now)
    likes = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    replies = models.BigIntegerField(default=0)
    tone = models.SmallIntegerField(_("tone"), choices=Tone.choices, default=Tone.NEUTRAL)
    # {"<watchlist id>": ["term", ...]}: which watchlists and terms it matched.
    matched = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="monitoring_mention_once_per_source")
        ]
        # + GIN full-text indexes (French, English) on PostgreSQL only: migration 0002.
        indexes = [models.Index(fields=["cell", "-published_at"], name="monitoring_mention_cell_time")]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")

    def __str__(self):
        return f"{self.author_handle}: {self.text[:60]}"

    @property
    def safe_url(self) -> str:
        """Only http(s) addresses are ever made links (javascript: and the rest are not)."""
        return self.url if self.url.lower().startswith(("http://", "https://")) else ""


class MentionSearch(models.Model):
    """A mention's full-text document (PostgreSQL only), filled a few seconds after it is stored.

    Computing tsvectors is the dearest part of storing a mention (~45 µs in English, ~85 µs
    in French per 20-word text, more than the insert itself): ingestion queues the new ids
    in PendingSearch in the same statement as the insert, and `search_index.index_pending`
    (Celery, after each batch and every few seconds) computes the documents in bulk. Until
    then the search reads the pending rows' text directly (monitoring/selectors.py), so a
    search never misses a fresh mention. Its GIN index is made by migration 0004, on
    PostgreSQL only; SQLite searches with a plain scan and never writes these tables.
    """

    # db_constraint=False: no foreign-key trigger per row on the ingestion path; Django
    # still deletes these rows with their mention (on_delete), and flush truncates them.
    mention = models.OneToOneField(
        Mention, on_delete=models.CASCADE, primary_key=True, db_constraint=False, related_name="+"
    )
    document = SearchVectorField(null=True)

    def __str__(self):
        return f"search {self.mention_id}"


class PendingSearch(models.Model):
    """A mention stored but not yet in MentionSearch (a queue, emptied by `search_index`)."""

    mention = models.OneToOneField(
        Mention, on_delete=models.CASCADE, primary_key=True, db_constraint=False, related_name="+"
    )

    def __str__(self):
        return f"pending {self.mention_id}"


class Watchlist(models.Model):
    """What a cell watches: terms one per line (keywords, "phrases", #hashtags, @handles),
    exclusion terms, languages, and the thresholds of its alerts."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="watchlists")
    name = models.CharField(_("name"), max_length=120)
    terms = models.TextField(_("terms"), help_text=_("One per line: a word, a phrase, #hashtag or @handle."))
    exclusions = models.TextField(_("exclusion terms"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Bumped by every change of terms: the matcher cache is keyed by it.
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(_("active"), default=True)
    watchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="watched_watchlists")
    window_minutes = models.PositiveIntegerField(_("detection window (minutes)"), default=15)
    baseline_days = models.PositiveIntegerField(_("baseline (days)"), default=7)
    spike_factor = models.FloatField(_("volume spike: times the baseline"), default=3.0)
    spike_min_count = models.PositiveIntegerField(_("volume spike: at least this many mentions"), default=20)
    negative_jump = models.FloatField(_("negative share jump (0-1)"), default=0.25)
    reach_threshold = models.BigIntegerField(_("high-reach author: followers"), default=100_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["cell", "name"], name="monitoring_watchlist_name_per_cell")]
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")

    def __str__(self):
        return self.name


class VolumeCounter(models.Model):
    """Matched mentions of a watchlist per minute of publication (and how many were negative)."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="counters")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["watchlist", "minute"], name="monitoring_counter_per_minute")]

    def __str__(self):
        return f"{self.watchlist_id} {self.minute:%Y-%m-%d %H:%M}: {self.count}"


class AlertCause(models.TextChoices):
    VOLUME = "volume", _("Volume spike")
    NEGATIVE = "negative", _("Negative tone")
    REACH = "reach", _("High-reach author")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    ESCALATED = "escalated", _("Turned into an incident")


class Alert(models.Model):
    """A weak signal: why it fired (figures, baseline, top mentions, co-occurring terms) in `evidence`."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="+")
    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="alerts")
    cause = models.CharField(_("cause"), max_length=16, choices=AlertCause.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    evidence = models.JSONField(default=dict)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "cause"], condition=Q(status="open"), name="monitoring_one_open_alert_per_cause"
            )
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return f"{self.get_cause_display()} — {self.watchlist_id}"


class ToneWord(models.Model):
    """A cell's own word for the tone lexicon (monitoring/tone.py), added to the built-in one."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="+")
    word = models.CharField(_("word"), max_length=80)
    polarity = models.SmallIntegerField(_("polarity"), choices=[(-1, _("Negative")), (1, _("Positive"))])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "word"], name="monitoring_tone_word_per_cell")]

    def __str__(self):
        return f"{self.word} ({self.polarity:+d})"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A listening tool's export (CSV or JSONL) imported into a file source of the cell.

    The file is kept in the row (at most MAX_IMPORT_BYTES): the web process and the Celery
    worker need not share a disk. Progress and the final report are written as it runs."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8, choices=[("csv", "CSV"), ("jsonl", "JSONL")])
    preset = models.CharField(_("preset"), max_length=40, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict)
    content = models.BinaryField()
    status = models.CharField(_("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors (row number and reason); error_count has them all.
    errors = models.JSONField(default=list)
    problem = models.CharField(max_length=500, blank=True)  # in English, for logs
    problem_data = models.JSONField(default=dict, blank=True)  # worded for the reader (problem_text)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.filename

    @property
    def problem_text(self) -> str:
        return problems.word(self.problem_data, self.problem)

    @property
    def error_lines(self) -> list[tuple[int, str]]:
        """(row, reason in the active language) of the errors kept."""
        return [(error.get("row"), problems.word(error, error.get("reason", ""))) for error in self.errors]

    @property
    def percent(self) -> int:
        return 100 if self.status == ImportStatus.DONE else int(100 * self.processed / self.total) if self.total else 0
