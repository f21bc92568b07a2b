"""The one module that sends to the channel layer (Zulip's send_event habit).

Services never talk to Channels: they record an event (incidents.events) or
call one of the functions here (or of a module composing its messages on them,
incidents.live), and the message leaves after commit, so no browser ever
hears of a change that then rolled back. Messages are small
(type, ids, sequence); pages fetch what they show. A failed send is logged,
not raised: the change is committed, and clients recover it through the event
stream (their next event or ping shows the gap).
"""

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def cell_group(cell_id: int) -> str:
    return f"cell.{cell_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    # Group names end up in Redis keys: a digest, not the session key itself.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def send_now(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the change is committed; a client resyncs from the stream
        logger.exception("Could not broadcast %s to %s", message.get("type"), group)


def send_on_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: send_now(group, message))


# --- Messages to the sockets of a person or a session (each names its consumer method:
# "type", dots become underscores).


def membership_ended(*, user_id: int, cell_id: int) -> None:
    """The user left the cell: their sockets on its incidents close at once."""
    send_on_commit(user_group(user_id), {"type": "membership.ended", "cell": cell_id})


def role_changed(*, user_id: int, cell_id: int, role: str) -> None:
    """The user's role in the cell changed: their open pages re-render their controls."""
    send_on_commit(user_group(user_id), {"type": "role.changed", "cell": cell_id, "role": role})


def access_ended(*, user_id: int) -> None:
    """The account was deactivated or deleted: every socket of the user closes at once."""
    send_on_commit(user_group(user_id), {"type": "access.ended"})


def session_ended(*, session_key: str) -> None:
    """Logged out: the sockets opened with that session close at once."""
    send_on_commit(session_group(session_key), {"type": "session.ended"})


def notifications_changed(*, user_ids) -> None:
    """New or read notifications: each socket of the user recounts its unread badge."""
    for user_id in sorted(set(user_ids)):
        send_on_commit(user_group(user_id), {"type": "notifications.changed"})


async def send_async(group: str, message: dict) -> None:
    """From async code (the consumers' presence flush); same contract as send_now."""
    layer = get_channel_layer()
    try:
        await layer.group_send(group, message)
    except Exception:
        logger.exception("Could not broadcast %s to %s", message.get("type"), group)
