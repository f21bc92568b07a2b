"""The one module that sends to the channel layer (Zulip's send_event habit).

Services never talk to Channels: they record an event (incidents.events) or
call one of the functions here (or of a module composing its messages on them,
incidents.live), and the message leaves after commit, so no browser ever
hears of a change that then rolled back. Messages are small
(type, ids, sequence); pages fetch what they show. A failed send is logged,
not raised: the change is committed, and clients recover it through the event
stream (their next event or ping shows the gap).
"""

import asyncio
import hashlib
import logging
import os
import threading

from asgiref.sync import SyncToAsync, async_to_sync
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


# Outside the ASGI server (Celery workers, management commands, the bench's writer thread)
# there is no event loop to hand the send to: async_to_sync started a new loop for every
# message, and with it a new Redis connection of the channel layer (18 % of a bulk fill,
# issue 12). There, one loop per process runs in a thread of its own and keeps its connection.
SEND_TIMEOUT = 10  # seconds; a send that hangs longer is logged, the change stays committed
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None
_loop_lock = threading.Lock()


def _request_loop_available() -> bool:
    """True in a thread that async_to_sync hands to a running loop: a request's thread under
    the ASGI server, or sync code called from async code (asgiref notes that loop per thread)."""
    threadlocal = SyncToAsync.threadlocal
    loop = getattr(threadlocal, "main_event_loop", None)
    return loop is not None and getattr(threadlocal, "main_event_loop_pid", None) == os.getpid() and loop.is_running()


def _process_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid():  # a forked worker starts its own
            _loop = asyncio.new_event_loop()
            _loop_pid = os.getpid()
            threading.Thread(target=_loop.run_forever, name="broadcast-loop", daemon=True).start()
        return _loop


def send_now(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if _request_loop_available():
            async_to_sync(layer.group_send)(group, message)
        else:
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _process_loop())
            future.result(timeout=SEND_TIMEOUT)
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
