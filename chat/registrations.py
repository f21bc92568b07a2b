"""What the chat plugs into the apps below it (called from ChatConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from incidents import search, workspace
from notifications import registry

from .markdown import plain_text
from .models import ChatNotice
from .panels import chat_form_context, chat_panel
from .search import find_chat


def _mention_body(values: dict) -> str:
    # The message itself, its markdown read as plain text (a bell and an e-mail show no HTML).
    return plain_text(str(values.get("text") or ""))


def _chat_context(request, incident, membership, page: dict) -> dict:
    return {**chat_panel(incident, membership, request.user), **chat_form_context(page.get("chat_form"))}


def register() -> None:
    registry.register_kind(ChatNotice.MENTION.value, ChatNotice.MENTION.label)
    workspace.register_panel(
        "chat",
        slot="side",
        order=30,
        template="messaging/_chat_panel.html",
        context=_chat_context,
        title=_("Chat"),
        nav=60,
    )
    registry.register_wording("mention", title=_("%(name)s mentioned you in “%(incident)s”"), body=_mention_body)
    search.register("chat", label=_("Chat"), find=find_chat, order=20)
