"""WebSocket consumers: thin. They authorise at the handshake, join groups, and
forward what incidents.live and realtime.broadcast send; they write no business data (presence
rows only say who has the page open)."""

import asyncio
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from incidents import live as broadcast
from incidents.models import Incident
from realtime import broadcast as transport

from . import fanout, presence
from .selectors import cell_socket_access, socket_access, socket_language, unread_badge, workspace_snapshot

# Close codes the page understands: do not reconnect after these.
CLOSE_FORBIDDEN = 4403  # no longer a member, or logged out
# Presence changes of one incident are sent at most this often per process:
# 500 people opening the page at once make a few messages, not 500 x 500.
PRESENCE_FLUSH_DELAY = 0.5
# Keyed by loop too: a flush pending in a loop that has ended (a test's) must not
# hold back the next loop's.
_pending_presence: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.Task] = {}


def _schedule_presence_broadcast(incident_id: int) -> None:
    loop = asyncio.get_running_loop()
    key = (loop, incident_id)
    if key in _pending_presence:
        return

    async def flush():
        await asyncio.sleep(PRESENCE_FLUSH_DELAY)
        _pending_presence.pop(key, None)
        viewers = await database_sync_to_async(presence.viewers)(incident_id)
        await transport.send_async(
            broadcast.incident_group(incident_id),
            broadcast.transient_message(incident_id=incident_id, payload={"type": "presence", **viewers}),
        )

    _pending_presence[key] = loop.create_task(flush())


class _MemberSocket(AsyncJsonWebsocketConsumer):
    """Joins the user's and the session's groups, so that leaving the cell or logging out closes it."""

    async def join_personal_groups(self, user) -> None:
        self.personal_groups = [transport.user_group(user.pk)]
        session = self.scope.get("session")
        if session is not None and session.session_key:
            self.personal_groups.append(transport.session_group(session.session_key))
        for group in self.personal_groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave_groups(self) -> None:
        for group in getattr(self, "personal_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def session_ended(self, message):
        await self.close(code=CLOSE_FORBIDDEN)

    async def access_ended(self, message):
        await self.close(code=CLOSE_FORBIDDEN)

    async def membership_ended(self, message):
        pass

    async def role_changed(self, message):
        pass

    async def notifications_changed(self, message):
        pass


class IncidentConsumer(_MemberSocket):
    """/ws/incidents/<id>/: the live workspace of one incident.

    The incident's broadcasts reach it through this process's fan-out (messaging.fanout),
    not through a group of its own; its channel only hears of its user and session."""

    async def connect(self):
        user = self.scope.get("user")
        self.incident_id = self.scope["url_route"]["kwargs"]["incident_id"]
        self.cell_id = await database_sync_to_async(socket_access)(user, self.incident_id)
        if self.cell_id is None:
            # Closing before accepting refuses the handshake (HTTP 403).
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.outbox = fanout.Outbox(lambda text: self.send(text_data=text))
        await fanout.for_this_process().add(self.incident_id, self.outbox)
        await self.join_personal_groups(user)
        await self.accept()
        await database_sync_to_async(presence.join)(
            incident_id=self.incident_id, user_id=user.pk, channel_name=self.channel_name
        )
        # After joining the fan-out: whatever commits from now on waits in the outbox,
        # and the snapshot's seq tells the page what it must fetch to catch up.
        snapshot = await database_sync_to_async(workspace_snapshot)(self.incident_id)
        await self.send_json({"type": "hello", **snapshot})
        self.outbox.start()
        _schedule_presence_broadcast(self.incident_id)

    async def disconnect(self, code):
        await self.leave_groups()
        if getattr(self, "cell_id", None) is not None:
            await fanout.for_this_process().discard(self.incident_id, self.outbox)
            await self.outbox.stop()
            await database_sync_to_async(presence.leave)(channel_name=self.channel_name)
            _schedule_presence_broadcast(self.incident_id)

    def reply(self, message: dict) -> None:
        # Through the outbox, behind the events already waiting there.
        self.outbox.push(json.dumps(message))

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            # channels-redis forgets group members after group_expiry (a day): a tab
            # left open through a long crisis joins again at every ping.
            for group in self.personal_groups:
                await self.channel_layer.group_add(group, self.channel_name)
            # The pong carries the last seq: a client that missed a message (dropped
            # by a full outbox, say) sees the gap and fetches it.
            seq = await database_sync_to_async(_touch_and_seq)(self.channel_name, self.incident_id)
            self.reply({"type": "pong", "seq": seq})
        elif kind == "presence" and content.get("state") in ("active", "idle"):
            changed = await database_sync_to_async(presence.touch)(
                channel_name=self.channel_name, state=content["state"]
            )
            if changed:
                _schedule_presence_broadcast(self.incident_id)
        else:
            self.reply({"type": "error", "detail": "Unknown message; this socket takes ping and presence."})

    async def membership_ended(self, message):
        if message.get("cell") == self.cell_id:
            await self.close(code=CLOSE_FORBIDDEN)


class CellIncidentsConsumer(_MemberSocket):
    """/ws/cells/<id>/incidents/: the incident list of a cell, live.

    Any member of the cell; it hears "incident N changed" (no detail) and the page
    fetches its rows again, with its own filters and sort."""

    async def connect(self):
        user = self.scope.get("user")
        self.cell_id = self.scope["url_route"]["kwargs"]["cell_id"]
        if not await database_sync_to_async(cell_socket_access)(user, self.cell_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.cell_group = transport.cell_group(self.cell_id)
        await self.channel_layer.group_add(self.cell_group, self.channel_name)
        await self.join_personal_groups(user)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code):
        await self.leave_groups()
        if getattr(self, "cell_group", None):
            await self.channel_layer.group_discard(self.cell_group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            # channels-redis forgets group members after a day: a list left open re-joins.
            for group in [self.cell_group, *self.personal_groups]:
                await self.channel_layer.group_add(group, self.channel_name)
            await self.send_json({"type": "pong"})

    async def cell_incident(self, message):
        await self.send_json({"type": "incident.changed", "incident": message["incident"]})

    async def membership_ended(self, message):
        if message.get("cell") == self.cell_id:
            await self.close(code=CLOSE_FORBIDDEN)


def _touch_and_seq(channel_name: str, incident_id: int) -> int:
    presence.touch(channel_name=channel_name)
    return Incident.objects.values_list("event_seq", flat=True).get(pk=incident_id)


class NotificationsConsumer(_MemberSocket):
    """/ws/notifications/: the unread badge of every page, live, and the user's role changes."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.language = socket_language(self.scope)
        await self.join_personal_groups(user)
        await self.accept()
        await self.send_unread()

    async def disconnect(self, code):
        await self.leave_groups()

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def send_unread(self):
        await self.send_json({"type": "unread", **await database_sync_to_async(unread_badge)(self.user, self.language)})

    async def notifications_changed(self, message):
        await self.send_unread()

    # Every page has this socket: it tells the page that the user's role in a cell
    # changed, or that they left it (role null), and the page re-renders its controls.
    async def role_changed(self, message):
        await self.send_json({"type": "role", "cell": message["cell"], "role": message["role"]})

    async def membership_ended(self, message):
        await self.send_json({"type": "role", "cell": message["cell"], "role": None})
