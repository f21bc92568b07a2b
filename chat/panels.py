"""The chat panel of the workspace: its context, for the page and for the live fragment."""

from cells.models import Membership, Role

from .forms import ChatForm
from .rendering import message_html
from .selectors import chat_messages

CHAT_PANEL_SIZE = 40


def chat_panel(incident, membership: Membership, user) -> dict:
    messages = list(chat_messages(incident)[:CHAT_PANEL_SIZE])
    for message in messages:
        message.html = message_html(message)
        message.mentions_me = any(mentioned.pk == user.pk for mentioned in message.mentions.all())
    return {"chat_messages": messages, "can_promote": membership.has_role(Role.MEMBER)}


def chat_form_context(form=None) -> dict:
    return {"chat_form": form or ChatForm()}
