"""Chat messages as the page and the API show them: safe HTML with mentions and links."""

from incidents.references import url as ref_url

from .markdown import render
from .models import ChatMessage


def message_html(message: ChatMessage) -> str:
    """Needs `mentions` prefetched (see messaging.selectors.chat_messages)."""
    mentions = {user.username.lower(): str(user) for user in message.mentions.all()}
    refs = {(ref["kind"], ref["id"]): ref_url(message.incident_id, ref["kind"], ref["id"]) for ref in message.refs}
    return render(message.text, mentions=mentions, refs=refs)
