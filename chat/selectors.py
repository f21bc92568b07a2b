"""Reads of the chat."""

from .models import ChatMessage


def chat_messages(incident):
    return (
        ChatMessage.objects.filter(incident=incident)
        .select_related("author", "promoted_entry")
        .prefetch_related("mentions")
        .order_by("-created_at", "-id")
    )
