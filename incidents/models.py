from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import log_kinds


class Level(models.TextChoices):
    WATCH = "watch", _("Watch")
    ALERT = "alert", _("Alert")
    CRISIS = "crisis", _("Crisis")
    RECOVERY = "recovery", _("Recovery")
    CLOSED = "closed", _("Closed")


class CrisisType(models.TextChoices):
    PRODUCT = "product", _("Product incident")
    RUMOUR = "rumour", _("Rumour / false information")
    BACKLASH = "backlash", _("Social-media backlash")
    DATA_BREACH = "data_breach", _("Data breach")
    EXECUTIVE = "executive", _("Executive / spokesperson")
    OTHER = "other", _("Other")


class Severity(models.IntegerChoices):
    # SEV1 is the worst, as in most incident tools.
    CRITICAL = 1, _("1 — Critical")
    MAJOR = 2, _("2 — Major")
    MODERATE = 3, _("3 — Moderate")
    MINOR = 4, _("4 — Minor")


class Incident(models.Model):
    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("cell"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    crisis_type = models.CharField(
        _("crisis type"), max_length=16, choices=CrisisType.choices, default=CrisisType.OTHER
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        choices=Severity.choices,
        default=Severity.MODERATE,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    # Changed only through incidents.services.incident_transition (guarded update).
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.WATCH, editable=False)
    level_changed_at = models.DateTimeField(_("level changed at"), default=timezone.now, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_incidents",
        verbose_name=_("owner"),
    )
    is_exercise = models.BooleanField(_("exercise"), default=False, help_text=_("A drill, not a real crisis."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False, null=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    # Number of the last crisis-log entry. Appending bumps it with an UPDATE,
    # which row-locks the incident: two appends cannot fork the hash chain.
    log_seq = models.PositiveIntegerField(default=0, editable=False)
    # Number of the last live event (incidents.events): the same row lock orders them.
    event_seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["cell", "level"]), models.Index(fields=["cell", "-updated_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(severity__gte=1, severity__lte=4), name="incident_severity_1_4"),
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="incident_level_valid"),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self):
        return self.title


class LogKind(models.TextChoices):
    """The crisis log's own kinds. Other apps register theirs (fact, claim, statement,
    reminder...) in incidents.log_kinds, which decides what LogEntry.kind may hold."""

    CREATED = "created", _("Incident created")
    EDITED = "edited", _("Incident edited")
    LEVEL_CHANGED = "level_changed", _("Level changed")
    NOTE = "note", _("Entry")
    CORRECTION = "correction", _("Correction")
    NOTIFICATION = "notification", _("Notification sent")
    # A member pins (or unpins) an entry as a key decision: the pin is itself an entry, the log stays append-only.
    PIN = "pin", _("Key decision pinned")


class LogCategory(models.TextChoices):
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")
    COMMUNICATION = "communication", _("Communication")


class LogEntryQuerySet(models.QuerySet):
    """The crisis log is append-only: bulk writes are refused at the ORM too."""

    def update(self, **kwargs):
        raise PermissionError("Crisis log entries cannot be changed; add a correction entry instead.")

    def delete(self):
        raise PermissionError("Crisis log entries cannot be deleted; add a correction entry instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("Crisis log entries cannot be changed; add a correction entry instead.")

    # bulk_create would skip save(), hence the hash chain: entries are added one
    # by one by incidents.crisislog.append_entry.
    def bulk_create(self, objs, *args, **kwargs):
        raise PermissionError("Crisis log entries are written one by one, by incidents.crisislog.append_entry.")


class LogEntry(models.Model):
    """One line of the main courante. Written once by incidents.crisislog.append_entry."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="log_entries")
    seq = models.PositiveIntegerField(editable=False)
    # A key of incidents.log_kinds (no `choices`: the apps register the kinds; same values as ever).
    kind = models.CharField(_("kind"), max_length=16)
    category = models.CharField(_("category"), max_length=16, choices=LogCategory.choices, blank=True)
    text = models.TextField(_("text"), max_length=5000, blank=True)
    source_url = models.URLField(_("source link"), max_length=1000, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # Structured details of automatic entries: {"from": ..., "to": ..., "reason": ...}, changed fields, ...
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False, unique=True)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        constraints = [models.UniqueConstraint(fields=["incident", "seq"], name="log_seq_unique_per_incident")]
        # The level history and the key-decision pins read a few entries of a long log: without
        # these, every entry of the incident was read and filtered (issue 12: 117 ms on 100,000).
        indexes = [
            models.Index(
                fields=["incident", "seq"], condition=models.Q(kind="level_changed"), name="log_level_changes"
            ),
            models.Index(fields=["incident", "seq"], condition=models.Q(kind="pin"), name="log_pins"),
        ]
        verbose_name = _("crisis log entry")
        verbose_name_plural = _("crisis log entries")

    def __str__(self):
        return f"#{self.seq} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self.hash:
            raise PermissionError("Crisis log entries are written once, by incidents.crisislog.append_entry.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Crisis log entries cannot be deleted; add a correction entry instead.")

    def get_kind_display(self) -> str:
        return log_kinds.label(self.kind)


class LevelChangeNotice(models.Model):
    """Marks that the escalation e-mail for one level change went out: makes the task idempotent."""

    entry = models.OneToOneField(LogEntry, on_delete=models.PROTECT, related_name="notice")
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"notice for {self.entry}"


class LogCheckpoint(models.Model):
    """A signed checkpoint of the log's head (incidents.anchoring), as also written outside the database.

    Verification never trusts these rows: it reads the out-of-database sinks."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="log_checkpoints")
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["incident", "-seq"])]

    def __str__(self):
        return f"checkpoint #{self.seq} of incident {self.incident_id}"


class VerificationStatus(models.TextChoices):
    # Never stored: what the API answers for a log that no one has asked to verify yet.
    NONE = "none", _("Never verified")
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Could not run")


class LogVerification(models.Model):
    """One check of an incident's crisis log, asked by someone, run by a Celery worker."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log_verifications")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=VerificationStatus.choices, default=VerificationStatus.PENDING)
    # Progress: entries read out of the number there were when it started.
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    # The verdict (null until done).
    valid = models.BooleanField(null=True)
    first_broken_seq = models.PositiveIntegerField(null=True, blank=True)
    first_broken_entry = models.PositiveBigIntegerField(null=True, blank=True)
    # A template of incidents.log_verification (untranslated, %(seq)s / %(last)s): see problem_text().
    problem = models.CharField(max_length=500, blank=True)
    # Entries 1..covered_seq are covered by a signed checkpoint (of checkpoint_at); later ones not yet.
    covered_seq = models.PositiveIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["incident", "-requested_at"])]

    def __str__(self):
        return f"verification {self.pk} of incident {self.incident_id}: {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (VerificationStatus.DONE, VerificationStatus.FAILED)

    @property
    def uncovered(self) -> int:
        return max(self.total - self.covered_seq, 0)

    def problem_text(self) -> str:
        """The problem in the active language, numbers filled in."""
        from django.utils.translation import gettext

        if not self.problem or "%(" not in self.problem:
            return self.problem
        from .log_verification import SIGNED_BUT_GONE

        last = self.covered_seq if self.problem == SIGNED_BUT_GONE else self.total
        return gettext(self.problem) % {"seq": self.first_broken_seq, "last": last}


class IncidentEvent(models.Model):
    """One change of an incident, numbered in commit order (see incidents.events).

    Written in the transaction of the change itself, so the stream holds exactly
    what was committed: a client that missed some live messages asks for
    `seq > N` and gets each one once, in order.
    """

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    # "<area>.<what>", e.g. "level.changed", "log.added", "fact.verify", "chat.posted".
    type = models.CharField(max_length=48)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # What the page needs to update: which panels to refresh, and a few small values.
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Moved from messaging without moving a row (issue 11): the table keeps its name.
        db_table = "messaging_incidentevent"
        ordering = ["incident", "seq"]
        constraints = [models.UniqueConstraint(fields=["incident", "seq"], name="event_seq_unique_per_incident")]

    def __str__(self):
        return f"{self.incident_id}#{self.seq} {self.type}"


class EditLock(models.Model):
    """'Being edited by X': one holder per fact or statement draft, until released or expired."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    # "fact:12" or "statement:5" (a statement's open draft).
    target = models.CharField(max_length=40, unique=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acquired_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        # Moved from messaging without moving a row (issue 11): the table keeps its name.
        db_table = "messaging_editlock"
        verbose_name = _("edit lock")
        verbose_name_plural = _("edit locks")

    def __str__(self):
        return f"{self.target} by {self.holder_id} until {self.expires_at:%H:%M:%S}"
