"""The incident chat: messages with mentions and references, promoted to the crisis log when they decide."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChatNotice(models.TextChoices):
    """The notification kinds the chat sends (registered in notifications.registry)."""

    MENTION = "mention", _("Mention in the chat")


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
        # Moved from messaging without moving a row (issue 11): the table (and its mentions
        # table, messaging_chatmessage_mentions) and the index keep their names.
        db_table = "messaging_chatmessage"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["incident", "-created_at"], name="messaging_c_inciden_16f83f_idx")]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")

    def __str__(self):
        return f"{self.author}: {self.text[:60]}"
