"""The response queue: mentions that need an answer, with a due time and one person answering.

An item is one mention in one incident's queue. Its state moves
new -> assigned -> answered | no_reply | escalated (and new -> answered / no_reply /
escalated directly), always through a guarded UPDATE on the state it starts from
(responses.transitions): of two people claiming or answering at once, one wins.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ItemState(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    NO_REPLY = "no_reply", _("No reply needed")
    ESCALATED = "escalated", _("Escalated")


OPEN_STATES = (ItemState.NEW, ItemState.ASSIGNED)
DONE_STATES = (ItemState.ANSWERED, ItemState.NO_REPLY, ItemState.ESCALATED)


class SlaPolicy(models.Model):
    """How fast the cell answers, by the incident's level. Cells without a row get the defaults."""

    cell = models.OneToOneField("cells.Cell", on_delete=models.CASCADE, related_name="response_sla")
    crisis_minutes = models.PositiveIntegerField(_("crisis: answer within (minutes)"), default=30)
    alert_minutes = models.PositiveIntegerField(_("alert: answer within (minutes)"), default=120)
    recovery_minutes = models.PositiveIntegerField(_("recovery: answer within (minutes)"), default=240)
    watch_working_days = models.PositiveIntegerField(_("watch: answer within (working days)"), default=1)

    class Meta:
        verbose_name = _("response time policy")
        verbose_name_plural = _("response time policies")

    def __str__(self):
        return f"SLA of {self.cell}"


class RuleKind(models.TextChoices):
    TERMS = "terms", _("Complaint or question terms")
    REACH = "reach", _("Author above a reach")
    NEGATIVE = "negative", _("Negative tone on a watched term")


class QueueRule(models.Model):
    """When a mention enters the queue by itself. Editable per cell."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="response_rules")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    # Terms, one per line (TERMS and NEGATIVE); matched as whole words, case and accents aside.
    terms = models.TextField(_("terms"), blank=True, max_length=4000)
    min_reach = models.PositiveBigIntegerField(_("minimum reach"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="queue_rule_kind_valid")]
        verbose_name = _("queue rule")
        verbose_name_plural = _("queue rules")

    def __str__(self):
        return self.name


class QueueItem(models.Model):
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="queue_items")
    mention = models.ForeignKey("monitoring.Mention", on_delete=models.PROTECT, related_name="queue_items")
    # How it came in: the rule that matched it, or who flagged it by hand.
    rule = models.ForeignKey(QueueRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Changed only by responses.transitions (guarded updates).
    state = models.CharField(_("state"), max_length=16, choices=ItemState.choices, default=ItemState.NEW)
    revision = models.PositiveIntegerField(default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    # When it left the open states (answered, no reply needed, escalated), and why for the last two.
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # The reply: its text as sent, where, the link to it, and the template version it came from (if any).
    reply_text = models.TextField(_("reply"), blank=True, max_length=5000)
    reply_channel = models.CharField(_("channel"), max_length=120, blank=True)
    reply_url = models.URLField(_("link to the published reply"), max_length=1000, blank=True)
    template = models.ForeignKey(
        "statements.StatementVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Near-duplicates: this item is a copy of another (the same rumour copied around).
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    # Overdue reminders: stage 0 none sent, 1 the assignee (or managers) told, 2 managers told.
    reminder_stage = models.PositiveSmallIntegerField(default=0)
    next_reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "mention"], name="queue_item_once_per_incident"),
            models.CheckConstraint(condition=Q(state__in=ItemState.values), name="queue_item_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="assigned") | Q(assignee__isnull=False), name="queue_item_assigned_has_assignee"
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "state", "due_at"], name="queue_item_incident_state"),
            models.Index(fields=["next_reminder_at"], condition=Q(state__in=["new", "assigned"]), name="queue_due"),
        ]
        verbose_name = _("queue item")
        verbose_name_plural = _("queue items")

    def __str__(self):
        return f"queue item {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def etag(self) -> str:
        return f'"queue-item-{self.pk}-r{self.revision}"'


class ScanCursor(models.Model):
    """How far the rules have read each cell's mentions (by id): the scan job picks up from here."""

    cell = models.OneToOneField("cells.Cell", on_delete=models.CASCADE, related_name="+")
    last_mention_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"scan of cell {self.cell_id} after mention {self.last_mention_id}"


class LinkSource(models.TextChoices):
    HAND = "hand", _("By hand")
    SUGGESTION = "suggestion", _("From a suggestion")


class ClaimMention(models.Model):
    """A mention that carries a claim of the register: how far the rumour goes, and whether a debunk works."""

    claim = models.ForeignKey("facts.Claim", on_delete=models.CASCADE, related_name="mention_links")
    mention = models.ForeignKey("monitoring.Mention", on_delete=models.CASCADE, related_name="claim_links")
    source = models.CharField(max_length=16, choices=LinkSource.choices, default=LinkSource.HAND)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["claim", "mention"], name="claim_mention_once")]
        verbose_name = _("mention of a claim")
        verbose_name_plural = _("mentions of claims")

    def __str__(self):
        return f"mention {self.mention_id} carries claim {self.claim_id}"


class WaitingState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an incident")
    QUEUED = "queued", _("In an incident's queue")
    DISMISSED = "dismissed", _("Dismissed")


class WaitingMention(models.Model):
    """A mention a rule matched while the cell had no open incident: the cell's own waiting list.

    A complaint before the storm is exactly the weak signal a cell must not drop. It
    waits here, visible to the cell, until an incident opens: then the scan job puts
    the recent ones (services.WAITING_WINDOW) in that incident's queue by itself;
    members can also put one in an open incident by hand, or dismiss it with a reason.
    """

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="+")
    # A mention belongs to one cell: it waits once.
    mention = models.OneToOneField("monitoring.Mention", on_delete=models.CASCADE, related_name="waiting")
    rule = models.ForeignKey(QueueRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)
    # Changed only by guarded updates from "waiting" (services): two scans never queue it twice.
    state = models.CharField(_("state"), max_length=16, choices=WaitingState.choices, default=WaitingState.WAITING)
    item = models.ForeignKey(QueueItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-matched_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(state__in=WaitingState.values), name="waiting_state_valid")]
        indexes = [models.Index(fields=["cell", "state", "matched_at"], name="waiting_by_cell")]
        verbose_name = _("mention waiting for an incident")
        verbose_name_plural = _("mentions waiting for an incident")

    def __str__(self):
        return f"mention {self.mention_id} waiting in cell {self.cell_id} ({self.state})"
