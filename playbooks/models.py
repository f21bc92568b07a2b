"""Preparedness: playbooks (versioned), the tasks they create on incidents, the on-call rota.

A playbook version is immutable: its checklist and pre-drafted statements are one
JSON document (`content`, validated by playbooks.schema, the same rules as the
YAML import). An incident records the version it used (IncidentPlaybook), and
each time a level's part of it was applied (LevelRun, unique per round).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlaybookLogKind(models.TextChoices):
    """The crisis-log kinds this app writes (registered in incidents.log_kinds)."""

    TASK = "task", _("Task")
    PLAYBOOK = "playbook", _("Playbook")
    ACTIVATION = "activation", _("Activation")


class PlaybookNotice(models.TextChoices):
    """The notification kinds this app sends (registered in notifications.registry); its reminders
    and escalations use the reminders app's kinds."""

    ACTIVATION = "activation", _("Activation of the cell")


class Playbook(models.Model):
    """What the cell does for one kind of crisis. Its content lives in versions."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="playbooks")
    crisis_type = models.CharField(_("crisis type"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped with each new version, under the playbook's row lock: numbers never repeat.
    version_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["crisis_type", "id"]
        constraints = [models.UniqueConstraint(fields=["cell", "crisis_type"], name="one_playbook_per_crisis_type")]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self):
        return self.name


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # {"levels": {"alert": {"tasks": [...], "statements": [...]}, ...}} (playbooks.schema).
    content = models.JSONField(default=dict)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_unique")]

    def __str__(self):
        return f"{self.playbook} v{self.number}"

    def level(self, level: str) -> dict:
        return (self.content.get("levels") or {}).get(level) or {}


class IncidentPlaybook(models.Model):
    """The playbook version an incident follows: pinned the first time one of its levels is applied."""

    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE, related_name="playbook_use")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"incident {self.incident_id} follows {self.version}"


class LevelRun(models.Model):
    """A level's tasks and drafts were created on the incident (round 1 automatically when the
    level is first reached; later rounds only when a manager asks). The unique constraint is
    what makes "once" hold between concurrent transactions."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="level_runs")
    level = models.CharField(max_length=16)
    round = models.PositiveIntegerField(default=1)
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "level", "round"], name="level_run_once_per_round"),
        ]

    def __str__(self):
        return f"{self.level} (round {self.round}) of incident {self.incident_id}"


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.DOING)


class Task(models.Model):
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="tasks")
    # The level whose playbook part created it; blank for a task added by hand.
    level = models.CharField(_("level"), max_length=16, blank=True)
    run = models.ForeignKey(LevelRun, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crisis_tasks",
        verbose_name=_("assignee"),
    )
    # The playbook's default role, when it named a role rather than a person.
    role = models.CharField(_("role"), max_length=16, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Changed only by playbooks.services (guarded updates).
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO, editable=False
    )
    # Bumped by every change: the client's If-Match / expected revision.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Overdue reminders (as reminders.Reminder): the due time is stored, claimed with a
    # conditional update; `remind_generation` and `remind_misses` name one sending.
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    remind_misses = models.PositiveIntegerField(default=0, editable=False)
    remind_generation = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["incident", "level", "position"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["remind_at"], condition=Q(remind_at__isnull=False), name="task_reminder_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="task_status_valid"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def overdue(self, now=None) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < (now or timezone.now())


class RotaSlot(models.Model):
    """Who answers first for the cell between two times (out of hours, weekends)."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="rota")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["cell", "starts_at", "ends_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="rota_slot_order")]
        verbose_name = _("on-call slot")
        verbose_name_plural = _("on-call rota")

    def __str__(self):
        return f"{self.user} {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"


# --- Activation of the cell ------------------------------------------------------------------


class Preparedness(models.Model):
    """A cell's settings for activation, reminders and digests. Cells without a row get the defaults."""

    ACTIVATION_LEVELS = [("alert", _("Alert")), ("crisis", _("Crisis"))]

    cell = models.OneToOneField("cells.Cell", on_delete=models.CASCADE, related_name="preparedness")
    activation_level = models.CharField(
        _("activate the cell at"), max_length=8, choices=ACTIVATION_LEVELS, default="crisis"
    )
    ack_remind_minutes = models.PositiveIntegerField(
        _("remind the unacknowledged every, minutes"), default=10, validators=[MinValueValidator(1)]
    )
    task_remind_minutes = models.PositiveIntegerField(
        _("remind an overdue task every, minutes"), default=15, validators=[MinValueValidator(1)]
    )
    escalate_after = models.PositiveIntegerField(
        _("tell the managers after this many reminders"), default=2, validators=[MinValueValidator(1)]
    )
    digest_hours = models.PositiveIntegerField(
        _("digest of open tasks every, hours"), default=4, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("preparedness settings")
        verbose_name_plural = _("preparedness settings")

    def __str__(self):
        return f"preparedness of {self.cell}"


class Activation(models.Model):
    """The cell was called in for an incident: automatically once (its level reached the cell's
    activation level), or by a manager's hand, with a message."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="activations")
    level = models.CharField(max_length=16)
    manual = models.BooleanField(default=False)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=Q(manual=False), name="one_automatic_activation_per_incident"
            )
        ]
        verbose_name = _("activation")
        verbose_name_plural = _("activations")

    def __str__(self):
        return f"activation {self.pk} of incident {self.incident_id}"


class AckStatus(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    ON_IT = "on_it", _("I'm on it")
    UNAVAILABLE = "unavailable", _("Unavailable")


class Acknowledgement(models.Model):
    """One member's answer to an activation; reminded (stored due time, claimed) until they answer."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="acks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=AckStatus.choices, default=AckStatus.PENDING)
    note = models.CharField(_("note"), max_length=500, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["activation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "user"], name="one_ack_per_member"),
            models.CheckConstraint(condition=Q(status__in=AckStatus.values), name="ack_status_valid"),
        ]
        indexes = [models.Index(fields=["remind_at"], condition=Q(remind_at__isnull=False), name="ack_reminder_due")]

    def __str__(self):
        return f"{self.user} on activation {self.activation_id}: {self.status}"


class DigestSchedule(models.Model):
    """When the next digest of open tasks goes to the members of an incident's cell."""

    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE, related_name="digest_schedule")
    next_at = models.DateTimeField()
    sent = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"digests of incident {self.incident_id}"
