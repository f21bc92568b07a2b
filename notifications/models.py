from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import registry


class NotificationKind(models.TextChoices):
    """The notifications app's own kinds; the other apps register theirs (notifications.registry)."""

    LEVEL = "level", _("Level change")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENT = "sent", _("Sent")
    NONE = "none", _("No e-mail address")
    # Escalations are e-mailed by incidents.tasks (one mail per level change and member).
    SEPARATE = "separate", _("E-mailed separately")


class Notification(models.Model):
    """One message for one person: listed in the app and, once, e-mailed (an outbox row)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    cell = models.ForeignKey("cells.Cell", on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A key of notifications.registry.KINDS (no `choices`: the apps register the kinds; same values as ever).
    kind = models.CharField(_("kind"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Names what this notification is about (e.g. "reminder:12"): the database refuses
    # a second copy for a person, whatever retried or raced. A repeated notice about
    # the same thing (a reminder's next sending) updates this row instead: `count`
    # goes up, the time moves, it is unread again; data["occurrence"] names the
    # sending it last showed, so that a retry of that sending changes nothing.
    dedupe_key = models.CharField(max_length=120, blank=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["email_status", "created_at"], name="notification_outbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_user_and_key"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.user}: {self.title}"

    def get_kind_display(self) -> str:
        return str(registry.KINDS.get(self.kind, self.kind))

    @cached_property
    def shown(self) -> tuple[str, str]:
        """(title, body) in the active language (notifications.wording); worded once per row."""
        from .wording import shown

        return shown(self)

    @property
    def shown_title(self) -> str:
        return self.shown[0]

    @property
    def shown_body(self) -> str:
        return self.shown[1]
