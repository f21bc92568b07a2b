"""The live workspace: who has an incident open (presence). The chat is chat's, the event stream and
edit locks are incidents'."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PresenceState(models.TextChoices):
    ACTIVE = "active", _("Active")
    IDLE = "idle", _("Idle")


class Presence(models.Model):
    """One open workspace socket. In the database, not in a process: every server
    process sees who is there. Rows of a crashed process stop being refreshed and
    drop out after PRESENCE_TIMEOUT (see messaging.presence)."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=8, choices=PresenceState.choices, default=PresenceState.ACTIVE)
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["incident", "last_seen_at"])]

    def __str__(self):
        return f"{self.user_id} on {self.incident_id} ({self.state})"
