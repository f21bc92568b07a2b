"""What the chat plugs into the apps below it (called from MessagingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from incidents import workspace
from notifications import registry

from .markdown import plain_text
from .models import ChatNotice
from .panels import chat_form_context, chat_panel


def _mention_body(values: dict) -> str:
    # The message itself, its markdown read as plain text (a bell and an e-mail show no HTML).
    return plain_text(str(values.get("text") or ""))


def _chat_context(request, incident, membership, forms: dict) -> dict:
    return {**chat_panel(incident, membership, request.user), **chat_form_context(forms.get("chat_form"))}


def register() -> None:
    registry.register_kind(ChatNotice.MENTION.value, ChatNotice.MENTION.label)
    workspace.register_panel("chat", _chat_context)
    registry.register_wording("mention", title=_("%(name)s mentioned you in “%(incident)s”"), body=_mention_body)
