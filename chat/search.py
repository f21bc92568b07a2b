"""The chat's part of the incident search (incidents.search, registered in ChatConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.search import RESULTS_PER_KIND, Hit, cut

from .models import ChatMessage


def find_chat(incident, q, author) -> list[Hit]:
    messages = ChatMessage.objects.filter(incident=incident).select_related("author").order_by("-created_at", "-id")
    if q:
        messages = messages.filter(text__icontains=q)
    if author:
        messages = messages.filter(author=author)
    workspace = reverse("incidents:detail", args=[incident.pk])
    return [
        Hit("chat", str(_("Chat")), cut(m.text), f"{workspace}#chat-{m.pk}", m.author, m.created_at)
        for m in messages[:RESULTS_PER_KIND]
    ]
