"""Delivery of an incident's broadcasts to the sockets of this server process.

Why not let every consumer join the incident's channel-layer group: then each
socket has its own layer queue, its own channels dispatch and its own JSON
encoding of every event, about 80 µs of CPU per socket per event; a burst of 20
changes at 500 open workspaces is 10,000 of those, over a second behind
(bench/README.md). Here a process joins each incident's group once, encodes
each message once, and gives every socket an outbox drained by one writer task:
a message that finds the socket idle leaves at once, and the messages that pile
up while the socket's previous frame was being written leave together as one
`{"type": "batch", "messages": [...]}` frame. Nothing waits on purpose, so a
quiet incident gets no added latency, and a burst costs a frame per socket per
drain instead of one per event.

This module receives from the channel layer and writes to sockets; it never
sends to the layer (realtime.broadcast does) and never touches the database.
"""

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable

from channels.layers import get_channel_layer

from incidents import live as broadcast

logger = logging.getLogger(__name__)

# A socket whose client stops reading (its TCP buffer full) blocks its own writer
# only. Past this many waiting messages they are dropped for a "resync" that makes
# the page reconnect: its hello and the event stream then give it the whole state,
# and the process does not hold an unbounded queue for a dead tab.
MAX_PENDING = 1000
# channels-redis's default layer and the in-memory one forget a group's members
# after a day (group_expiry); a crisis lasts longer, so the process joins again.
REJOIN_EVERY_SECONDS = 3600

RESYNC = json.dumps({"type": "resync"})


def batch_frame(texts: list[str]) -> str:
    """Several encoded messages as one frame, in order (strings joined, not re-encoded)."""
    if len(texts) == 1:
        return texts[0]
    return '{"type":"batch","messages":[' + ",".join(texts) + "]}"


def messages_of(frame: dict) -> list[dict]:
    """The other way round, for Python clients (tests, bench/)."""
    return frame["messages"] if frame.get("type") == "batch" else [frame]


class Outbox:
    """The messages waiting for one socket, written in order by one task."""

    def __init__(self, send_text: Callable[[str], Awaitable[None]]):
        self._send_text = send_text
        self._pending: list[str] = []
        self._ready = asyncio.Event()
        self._writer: asyncio.Task | None = None

    def push(self, text: str) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._pending = [RESYNC]
            return
        self._pending.append(text)
        self._ready.set()

    def start(self) -> None:
        """Write what waits and what comes; until then messages only queue (the hello goes first)."""
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        self._pending = []

    async def _write(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            texts, self._pending = self._pending, []
            if not texts:
                continue
            try:
                await self._send_text(batch_frame(texts))
            except Exception:  # the socket went away; its consumer's disconnect stops us
                logger.debug("Could not write to a socket", exc_info=True)
                return


def encode(message: dict) -> str | None:
    """What the page receives for a message of an incident group (incidents.live)."""
    if message["type"] == "incident.event":
        # The same object as the catch-up API's events, wrapped.
        return json.dumps({"type": "event", "event": message["event"]}, separators=(",", ":"))
    if message["type"] == "incident.transient":
        return json.dumps(message["payload"], separators=(",", ":"))
    return None


class IncidentFanout:
    """One per event loop (a server process): the incidents its sockets watch."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.outboxes: dict[int, set[Outbox]] = {}
        # Joining and leaving groups awaits the layer: one at a time, so that a
        # socket arriving while the last one leaves cannot end up outside the group.
        self._membership = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []

    async def add(self, incident_id: int, outbox: Outbox) -> None:
        """From here on, whatever is broadcast to the incident reaches the outbox."""
        async with self._membership:
            if self.channel is None:
                self.channel = await self.layer.new_channel("fanout.")
                loop = asyncio.get_running_loop()
                self._tasks = [loop.create_task(self._read()), loop.create_task(self._rejoin())]
            outboxes = self.outboxes.get(incident_id)
            if outboxes is None:
                await self.layer.group_add(broadcast.incident_group(incident_id), self.channel)
                outboxes = self.outboxes[incident_id] = set()
            outboxes.add(outbox)

    async def discard(self, incident_id: int, outbox: Outbox) -> None:
        async with self._membership:
            outboxes = self.outboxes.get(incident_id)
            if outboxes is None or outbox not in outboxes:
                return
            outboxes.discard(outbox)
            if not outboxes:
                del self.outboxes[incident_id]
                await self.layer.group_discard(broadcast.incident_group(incident_id), self.channel)

    def deliver(self, message: dict) -> None:
        text = encode(message)
        outboxes = self.outboxes.get(message.get("incident"))
        if text is None or not outboxes:
            return
        for outbox in outboxes:
            outbox.push(text)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: the layer reconnects; pages resync by seq
                logger.exception("Could not receive incident broadcasts")
                await asyncio.sleep(1)
                continue
            self.deliver(message)

    async def _rejoin(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_EVERY_SECONDS)
            async with self._membership:
                for incident_id in list(self.outboxes):
                    await self.layer.group_add(broadcast.incident_group(incident_id), self.channel)


_per_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, IncidentFanout]" = weakref.WeakKeyDictionary()


def for_this_process() -> IncidentFanout:
    """The running loop's fan-out (a server process has one loop; tests make one per test)."""
    loop = asyncio.get_running_loop()
    fanout = _per_loop.get(loop)
    if fanout is None:
        fanout = _per_loop[loop] = IncidentFanout()
    return fanout
