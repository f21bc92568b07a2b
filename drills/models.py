"""Drills: an exercise incident started from a scenario, whose scripted injects a Celery beat job
delivers at their planned offsets (paused and resumed by the drill's leader), and a scorecard."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DrillLogKind(models.TextChoices):
    """The crisis-log kind this app writes (registered in incidents.log_kinds)."""

    DRILL = "drill", _("Drill")


class DrillNotice(models.TextChoices):
    """The notification kind this app sends (registered in notifications.registry)."""

    DRILL = "drill", _("Drill")


class Scenario(models.Model):
    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("name"), max_length=200)
    crisis_type = models.CharField(_("crisis type"), max_length=16)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    # [{"at": seconds after the start, "kind": "log" | "question" | "claim" | "mention", "text": ...,
    #   and for a mention wave: "count", "author", "reach"}] (drills.schema).
    injects = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self):
        return self.name


class DrillStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Drill(models.Model):
    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="drills")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="drills")
    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="drill")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=DrillStatus.choices, default=DrillStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    # Drill time: `elapsed` seconds had run before the last (re)start at `resumed_at`.
    resumed_at = models.DateTimeField(default=timezone.now)
    elapsed = models.FloatField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    scorecard = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=DrillStatus.values), name="drill_status_valid")]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self):
        return f"drill {self.pk}: {self.scenario}"


class InjectKind(models.TextChoices):
    LOG = "log", _("Crisis-log entry (a call, an event)")
    QUESTION = "question", _("Question from management")
    CLAIM = "claim", _("Rumour in the claims register")
    MENTION = "mention", _("Wave of posts into monitoring")


class InjectStatus(models.TextChoices):
    PENDING = "pending", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    SKIPPED = "skipped", _("Not delivered (drill ended)")


class Inject(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    position = models.PositiveIntegerField()
    offset = models.PositiveIntegerField(help_text=_("Seconds of drill time after the start."))
    kind = models.CharField(max_length=12, choices=InjectKind.choices)
    text = models.TextField(max_length=2000)
    # A mention wave's shape: {"count", "author", "reach", "tone"} (drills.schema).
    params = models.JSONField(default=dict, blank=True)
    # Null while the drill is paused: nothing is due.
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=InjectStatus.choices, default=InjectStatus.PENDING)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # What the delivery created (a log entry, a claim), for the scorecard.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["drill", "position"]
        indexes = [models.Index(fields=["due_at"], condition=Q(status="pending"), name="inject_due")]
        constraints = [
            models.UniqueConstraint(fields=["drill", "position"], name="inject_position_unique"),
            models.CheckConstraint(condition=Q(status__in=InjectStatus.values), name="inject_status_valid"),
        ]

    def __str__(self):
        return f"inject {self.position} of drill {self.drill_id}"
