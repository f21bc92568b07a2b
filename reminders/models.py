from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderLogKind(models.TextChoices):
    """The crisis-log kinds this app writes (registered in incidents.log_kinds)."""

    REMINDER = "reminder", _("Reminder")


class ReminderNotice(models.TextChoices):
    """The notification kinds this app sends (registered in notifications.registry)."""

    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalated reminder")


class ReviewCadence(models.Model):
    """A cell's timings. Cells without a row get the field defaults (see reminders.cadence)."""

    cell = models.OneToOneField("cells.Cell", on_delete=models.CASCADE, related_name="review_cadence")
    # How long a published holding statement stands before it must be reviewed, per incident level.
    crisis_minutes = models.PositiveIntegerField(
        _("review after (crisis), minutes"), default=30, validators=[MinValueValidator(1)]
    )
    alert_minutes = models.PositiveIntegerField(
        _("review after (alert), minutes"), default=120, validators=[MinValueValidator(1)]
    )
    watch_minutes = models.PositiveIntegerField(
        _("review after (watch), minutes"), default=480, validators=[MinValueValidator(1)]
    )
    recovery_minutes = models.PositiveIntegerField(
        _("review after (recovery), minutes"), default=480, validators=[MinValueValidator(1)]
    )
    repeat_minutes = models.PositiveIntegerField(
        _("repeat reminders every, minutes"), default=15, validators=[MinValueValidator(1)]
    )
    escalate_after = models.PositiveIntegerField(
        _("escalate to all managers after this many missed reminders"), default=3, validators=[MinValueValidator(1)]
    )
    review_wait_minutes = models.PositiveIntegerField(
        _("remind managers of a version in review after, minutes"), default=20, validators=[MinValueValidator(1)]
    )
    claim_unanswered_minutes = models.PositiveIntegerField(
        _("flag a claim circulating unanswered after, minutes"), default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("review cadence")
        verbose_name_plural = _("review cadences")

    def __str__(self):
        return f"review cadence of {self.cell}"


class ReminderKind(models.TextChoices):
    STATEMENT_REVIEW = "statement_review", _("Holding statement due for review")
    VERSION_IN_REVIEW = "version_in_review", _("Version waiting for approval")
    CLAIM_UNANSWERED = "claim_unanswered", _("Claim circulating unanswered")


class ReminderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DONE = "done", _("Handled")


# The target field each kind points to.
TARGET_FIELD = {
    ReminderKind.STATEMENT_REVIEW: "statement",
    ReminderKind.VERSION_IN_REVIEW: "version",
    ReminderKind.CLAIM_UNANSWERED: "claim",
}


class Reminder(models.Model):
    """Something that must be handled by a deadline; fires at `next_due_at` until handled.

    The due time is stored, never derived from "time since creation modulo the
    interval": a missed beat run leaves the reminder due, and the next run sends it.
    One row per target, re-armed (misses back to 0) when the target is handled
    and due again, e.g. by a new publication.
    """

    kind = models.CharField(_("kind"), max_length=24, choices=ReminderKind.choices)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="reminders")
    statement = models.ForeignKey(
        "statements.Statement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        "statements.StatementVersion", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey("facts.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.ACTIVE)
    next_due_at = models.DateTimeField(_("next due at"))
    # Reminders sent since the reminder was (re-)armed: each one is a missed deadline.
    misses = models.PositiveIntegerField(default=0)
    # Bumped at each re-arming: with `misses` it names one sending uniquely.
    generation = models.PositiveIntegerField(default=1)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    snoozed_at = models.DateTimeField(null=True, blank=True)
    snooze_reason = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["next_due_at", "id"]
        indexes = [models.Index(fields=["status", "next_due_at"], name="reminder_due")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ReminderKind.STATEMENT_REVIEW,
                        statement__isnull=False,
                        version__isnull=True,
                        claim__isnull=True,
                    )
                    | Q(
                        kind=ReminderKind.VERSION_IN_REVIEW,
                        statement__isnull=True,
                        version__isnull=False,
                        claim__isnull=True,
                    )
                    | Q(
                        kind=ReminderKind.CLAIM_UNANSWERED,
                        statement__isnull=True,
                        version__isnull=True,
                        claim__isnull=False,
                    )
                ),
                name="reminder_target_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "statement"], condition=Q(statement__isnull=False), name="reminder_one_per_statement"
            ),
            models.UniqueConstraint(
                fields=["kind", "version"], condition=Q(version__isnull=False), name="reminder_one_per_version"
            ),
            models.UniqueConstraint(
                fields=["kind", "claim"], condition=Q(claim__isnull=False), name="reminder_one_per_claim"
            ),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def target(self):
        return getattr(self, TARGET_FIELD[ReminderKind(self.kind)])
