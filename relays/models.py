"""The cell's relays (people who carry its verified word to their own audiences),
its distribution lists, and the briefings sent to them.

A relay is personal data: who may see it is limited to members and above
(relays.access), a relay can be exported and erased (relays.services), and
consent is recorded with how and when it was given. Bulk sending skips anyone
without consent, erased, or whose address bounced: see `Relay.contactable`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RelayKind(models.TextChoices):
    AMBASSADOR = "ambassador", _("Employee ambassador")
    PARTNER = "partner", _("Partner")
    EXPERT = "expert", _("Expert")
    JOURNALIST = "journalist", _("Journalist")
    INFLUENCER = "influencer", _("Influencer")
    ELECTED = "elected", _("Elected official")


class Consent(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked")
    GIVEN = "given", _("Agreed to be contacted")
    REFUSED = "refused", _("Refused or withdrew")


class Relay(models.Model):
    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="relays")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RelayKind.choices)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    # Language codes ("fr", "en") and free topics ("cosmetics", "safety"), as lists.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    consent = models.CharField(_("consent"), max_length=8, choices=Consent.choices, default=Consent.UNKNOWN)
    consent_how = models.CharField(_("how consent was given"), max_length=300, blank=True)
    consent_at = models.DateField(_("consent date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    # Set when a briefing e-mail to this address was refused: never e-mailed again in bulk.
    email_bounced_at = models.DateTimeField(_("e-mail bounced at"), null=True, blank=True)
    # Erasure keeps the row (the briefings' counts stay true) and blanks every personal field.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["cell", "name"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RelayKind.values), name="relay_kind_valid"),
            models.CheckConstraint(condition=Q(consent__in=Consent.values), name="relay_consent_valid"),
            # Consent without its date is no record of consent.
            models.CheckConstraint(
                condition=~Q(consent="given") | Q(consent_at__isnull=False), name="relay_consent_has_date"
            ),
        ]
        verbose_name = _("relay")
        verbose_name_plural = _("relays")

    def __str__(self):
        return self.name

    @property
    def contactable(self) -> bool:
        return self.consent == Consent.GIVEN and bool(self.email) and not self.email_bounced_at and not self.erased_at


class RelayHandle(models.Model):
    """One account of a relay on a network: how a mention of theirs is recognised."""

    relay = models.ForeignKey(Relay, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(_("network"), max_length=40)
    # Stored without "@" and lower-cased (see services.normalise_handle): matching is exact.
    handle = models.CharField(_("handle"), max_length=200)

    class Meta:
        ordering = ["network", "handle"]
        indexes = [models.Index(fields=["handle"])]
        constraints = [models.UniqueConstraint(fields=["relay", "network", "handle"], name="relay_handle_once")]

    def __str__(self):
        return f"{self.network}:@{self.handle}"


class DistributionList(models.Model):
    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="distribution_lists")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    relays = models.ManyToManyField(Relay, related_name="lists", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["cell", "name"], name="distribution_list_name_once")]
        verbose_name = _("distribution list")
        verbose_name_plural = _("distribution lists")

    def __str__(self):
        return self.name


class Briefing(models.Model):
    """One "brief the relays" action: a published statement version sent to some relays."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="briefings")
    version = models.ForeignKey("statements.StatementVersion", on_delete=models.PROTECT, related_name="briefings")
    note = models.TextField(_("note to the relays"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self):
        return f"briefing {self.pk} of {self.version}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not contacted")
    BOUNCED = "bounced", _("Bounced")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("no consent to be contacted")
    NO_EMAIL = "no_email", _("no e-mail address")
    BOUNCED = "bounced", _("an earlier e-mail bounced")
    ERASED = "erased", _("erased")
    # A drill's briefing is practised, never sent: real relays are not contacted about an exercise.
    EXERCISE = "exercise", _("a drill: real relays are never contacted")


class Answer(models.TextChoices):
    NONE = "", _("No answer yet")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SHARED = "shared", _("Shared")
    DECLINED = "declined", _("Declined")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class BriefingDelivery(models.Model):
    """One relay's copy of a briefing: its e-mail (an outbox row), its personal link, what came of it."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="deliveries")
    relay = models.ForeignKey(Relay, on_delete=models.PROTECT, related_name="deliveries")
    # The personal tracked link's secret: /r/<token>/ opens the briefing without an account.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A bounce: refused at once by the server (SMTP), or reported later by a delivery status
    # notification (relays.bounces): when, the DSN's status code ("5.1.1") and what the server said.
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_status = models.CharField(_("bounce status"), max_length=16, blank=True)
    bounce_detail = models.CharField(_("bounce detail"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Relayed: where (a link), when, and how we know (the relay said so, a member marked it, a matched mention).
    relayed_at = models.DateTimeField(_("relayed at"), null=True, blank=True)
    relayed_url = models.URLField(_("where it was relayed"), max_length=1000, blank=True)
    relayed_source = models.CharField(max_length=16, blank=True)
    relayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["briefing", "relay__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "relay"], name="briefing_delivery_once"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            models.CheckConstraint(condition=Q(answer__in=Answer.values), name="delivery_answer_valid"),
        ]
        indexes = [models.Index(fields=["status"], condition=Q(status="pending"), name="delivery_outbox")]

    def __str__(self):
        return f"{self.relay} / {self.briefing}"
