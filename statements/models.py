import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import language_validator


class StatementLogKind(models.TextChoices):
    """The crisis-log kinds this app writes (registered in incidents.log_kinds)."""

    STATEMENT = "statement", _("Statement")


class StatementNotice(models.TextChoices):
    """The notification kinds this app sends (registered in notifications.registry)."""

    NEEDS_REVIEW = "needs_review", _("Statement needs review")
    APPROVAL = "approval", _("Statement to approve")
    STATEMENT = "statement", _("Decision on your statement")


class StatementKind(models.TextChoices):
    HOLDING = "holding", _("Holding statement")
    OFFICIAL = "official", _("Official statement / press release")
    QA = "qa", _("Q&A entry")
    RESPONSE_TEMPLATE = "response_template", _("Response template")
    INTERNAL_BRIEF = "internal_brief", _("Internal brief")


class Audience(models.TextChoices):
    PRESS = "press", _("Press")
    SOCIAL = "social", _("Social networks")
    WEBSITE = "website", _("Website")
    CUSTOMERS = "customers", _("Customers")
    EMPLOYEES = "employees", _("Employees")
    RELAYS = "relays", _("Relays")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A statement has at most one version being worked on at a time.
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
# Versions that stand as the cell's word: a refuted fact under them must be reviewed.
STANDING_STATUSES = (VersionStatus.APPROVED, VersionStatus.PUBLISHED)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Statement(models.Model):
    """What the cell says (or will say): a sequence of versions, each approved on its own."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="statements")
    kind = models.CharField(_("kind"), max_length=24, choices=StatementKind.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    language = models.CharField(_("language"), max_length=16, validators=[language_validator], default="fr")
    title = models.CharField(_("title"), max_length=200)
    answers = models.ManyToManyField(
        "facts.Claim", related_name="answered_by", blank=True, verbose_name=_("claims it answers")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set by the refute/retract cascade; cleared by a new approval or a withdrawal.
    needs_review = models.BooleanField(_("needs review"), default=False, editable=False)
    needs_review_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Ids of the facts whose refutation or retraction raised the flag.
    needs_review_facts = models.JSONField(default=list, blank=True, editable=False)
    # Holding statements with a published version only; see reminders.cadence.
    review_due_at = models.DateTimeField(_("review due at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-needs_review", "-updated_at", "-id"]
        indexes = [models.Index(fields=["incident", "-updated_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=StatementKind.values), name="statement_kind_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="statement_audience_valid"),
        ]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self):
        return self.title


class StatementVersion(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), max_length=10000)
    # Changed only by statements.services, through guarded updates.
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT, editable=False
    )
    # Bumped by every change of the version: the ETag.
    revision = models.PositiveIntegerField(default=1, editable=False)
    based_on = models.PositiveIntegerField(null=True, blank=True, help_text=_("The version this one was started from."))
    # Everyone who wrote into this version: none of them may approve it.
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    cited_facts = models.ManyToManyField("facts.Fact", through="CitedFact", related_name="cited_by", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The approver, or the manager who rejected it (with `comment`).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("review comment"), blank=True, max_length=2000)
    # SHA-256 of the text as approved: the text is frozen from then on.
    text_sha256 = models.CharField(max_length=64, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=120, blank=True)
    published_url = models.URLField(_("published at URL"), max_length=1000, blank=True)
    # Superseded or withdrawn: when, by whom, why.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("statement version")
        verbose_name_plural = _("statement versions")
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="statement_version_unique"),
            models.UniqueConstraint(
                fields=["statement"], condition=Q(status__in=OPEN_STATUSES), name="statement_one_open_version"
            ),
            models.UniqueConstraint(
                fields=["statement"],
                condition=Q(status=VersionStatus.PUBLISHED),
                name="statement_one_published_version",
            ),
            models.CheckConstraint(condition=Q(status__in=VersionStatus.values), name="statement_version_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.statement} v{self.number}"

    @property
    def etag(self) -> str:
        return f'"statement-{self.statement_id}-v{self.number}-r{self.revision}"'

    @property
    def is_frozen(self) -> bool:
        return bool(self.text_sha256)

    @property
    def text_intact(self) -> bool:
        """False if the frozen text was changed behind the services' back."""
        return not self.text_sha256 or sha256_text(self.text) == self.text_sha256


class CitedFact(models.Model):
    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="citations")
    fact = models.ForeignKey("facts.Fact", on_delete=models.PROTECT, related_name="citations")
    # The fact's text version when it was cited (audit: what the writer relied on).
    fact_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["version", "fact"], name="cited_fact_once")]

    def __str__(self):
        return f"{self.version} cites fact {self.fact_id}"
