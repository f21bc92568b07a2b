from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.validators import language_validator


class FactLogKind(models.TextChoices):
    """The crisis-log kinds this app writes (registered in incidents.log_kinds)."""

    FACT = "fact", _("Fact")
    CLAIM = "claim", _("Claim")


class FactStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VERIFIED = "verified", _("Verified")
    REFUTED = "refuted", _("Refuted")
    RETRACTED = "retracted", _("Retracted")


class SourceKind(models.TextChoices):
    URL = "url", _("Web page")
    DOCUMENT = "document", _("Document")
    WITNESS = "witness", _("Internal witness")
    DEPARTMENT = "department", _("Department")


class FactPolicy(models.Model):
    """A cell's rules for facts. Cells without a row get the defaults (see facts.policy)."""

    cell = models.OneToOneField("cells.Cell", on_delete=models.CASCADE, related_name="fact_policy")
    verifier_must_differ = models.BooleanField(
        _("verifier must differ from creator"),
        default=True,
        help_text=_("Four-eyes on facts: whoever records a fact cannot be the one who verifies it."),
    )

    class Meta:
        verbose_name = _("fact policy")
        verbose_name_plural = _("fact policies")

    def __str__(self):
        return f"fact policy of {self.cell}"


class Fact(models.Model):
    """Something the cell established (or is checking) about the incident, with its sources."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="facts")
    # The current text; every text is kept in FactVersion.
    text = models.TextField(_("text"), max_length=2000)
    # Changed only by facts.services, through guarded updates.
    status = models.CharField(
        _("status"), max_length=16, choices=FactStatus.choices, default=FactStatus.UNVERIFIED, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Bumped by every change of the fact (text, status, sources): the ETag.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Who refuted or retracted it, when and why.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FactStatus.values), name="fact_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=FactStatus.VERIFIED) | Q(verified_at__isnull=False), name="fact_verified_has_time"
            ),
        ]
        verbose_name = _("fact")
        verbose_name_plural = _("facts")

    def __str__(self):
        return f"#{self.pk} {Truncator(self.text).chars(60)}"

    @property
    def etag(self) -> str:
        return f'"fact-{self.pk}-r{self.revision}"'


class FactVersion(models.Model):
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=2000)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["fact", "number"], name="fact_version_unique")]

    def __str__(self):
        return f"fact {self.fact_id} v{self.number}"


class FactSource(models.Model):
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    # A URL for web pages; a document title, a person or a department otherwise.
    reference = models.CharField(_("reference"), max_length=1000)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="fact_source_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reference[:60]}"


class ClaimStatus(models.TextChoices):
    CIRCULATING = "circulating", _("Circulating")
    UNDER_CHECK = "under_check", _("Under check")
    CONFIRMED = "confirmed", _("Confirmed")
    DEBUNKED = "debunked", _("Debunked")
    FADED = "faded", _("Faded")


OPEN_CLAIM_STATUSES = (ClaimStatus.CIRCULATING, ClaimStatus.UNDER_CHECK)


class Claim(models.Model):
    """Something circulating publicly about the incident: a rumour until facts settle it."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="claims")
    text = models.TextField(_("text"), max_length=2000)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)
    where = models.CharField(_("where"), max_length=300, blank=True, help_text=_("Network, site, medium."))
    url = models.URLField(_("link"), max_length=1000, blank=True)
    estimated_reach = models.PositiveBigIntegerField(_("estimated reach"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, validators=[language_validator], default="fr")
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.CIRCULATING, editable=False
    )
    status_note = models.TextField(blank=True, max_length=2000)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    facts = models.ManyToManyField(Fact, through="ClaimFact", related_name="claims", blank=True)

    class Meta:
        ordering = ["first_seen_at", "id"]
        indexes = [models.Index(fields=["incident", "status"])]
        constraints = [models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid")]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self):
        return f"#{self.pk} {Truncator(self.text).chars(60)}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CLAIM_STATUSES


class ClaimRelation(models.TextChoices):
    CONFIRMS = "confirms", _("confirms")
    REFUTES = "refutes", _("refutes")


class ClaimFact(models.Model):
    """A fact that confirms or refutes a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="fact_links")
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="claim_links")
    relation = models.CharField(_("relation"), max_length=8, choices=ClaimRelation.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "fact"], name="claim_fact_once"),
            models.CheckConstraint(condition=Q(relation__in=ClaimRelation.values), name="claim_relation_valid"),
        ]

    def __str__(self):
        return f"fact {self.fact_id} {self.relation} claim {self.claim_id}"
