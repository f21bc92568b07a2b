"""Chat messages as the page and the API show them: safe HTML with mentions and links."""

from django.urls import NoReverseMatch, reverse

from .markdown import render
from .models import ChatMessage

# URL names of the pages a reference points to, with the incident and the object id.
REF_URL_NAMES = {"fact": "facts:detail", "claim": "facts:claim-detail", "statement": "statements:detail"}


def ref_url(incident_id: int, kind: str, object_id: int) -> str:
    workspace = reverse("incidents:detail", args=[incident_id])
    if kind == "log":
        return f"{workspace}#log-{object_id}"
    try:
        return reverse(REF_URL_NAMES[kind], args=[incident_id, object_id])
    except NoReverseMatch:  # no page for it: the workspace shows it in its panel
        return f"{workspace}#{kind}-{object_id}"


def message_html(message: ChatMessage) -> str:
    """Needs `mentions` prefetched (see messaging.selectors.chat_messages)."""
    mentions = {user.username.lower(): str(user) for user in message.mentions.all()}
    refs = {(ref["kind"], ref["id"]): ref_url(message.incident_id, ref["kind"], ref["id"]) for ref in message.refs}
    return render(message.text, mentions=mentions, refs=refs)
