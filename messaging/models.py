"""The live workspace: the per-incident event stream, chat, presence and edit locks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChatNotice(models.TextChoices):
    """The notification kinds the chat sends (registered in notifications.registry)."""

    MENTION = "mention", _("Mention in the chat")


class IncidentEvent(models.Model):
    """One change of an incident, numbered in commit order (see messaging.broadcast).

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
        ordering = ["incident", "seq"]
        constraints = [models.UniqueConstraint(fields=["incident", "seq"], name="event_seq_unique_per_incident")]

    def __str__(self):
        return f"{self.incident_id}#{self.seq} {self.type}"


class ChatMessage(models.Model):
    """A message of an incident's chat. Kept for the review; never edited."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="chat_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # References found in the text ("fact#3", "log#12", ...) that exist in this
    # incident, resolved once when posted: [{"kind": "fact", "id": 3}, ...].
    refs = models.JSONField(default=list, blank=True)
    # Set once, when a member records the message as a decision in the crisis log.
    promoted_entry = models.OneToOneField(
        "incidents.LogEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="chat_message"
    )
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["incident", "-created_at"])]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")

    def __str__(self):
        return f"{self.author}: {self.text[:60]}"


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


class EditLock(models.Model):
    """'Being edited by X': one holder per fact or statement draft, until released or expired."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    # "fact:12" or "statement:5" (a statement's open draft).
    target = models.CharField(max_length=40, unique=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acquired_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("edit lock")
        verbose_name_plural = _("edit locks")

    def __str__(self):
        return f"{self.target} by {self.holder_id} until {self.expires_at:%H:%M:%S}"
