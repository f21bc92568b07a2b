"""The process's fan-out: one group membership per incident, one writer per socket,
messages that pile up while a frame is being written leave together, in order."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from incidents import live as broadcast
from incidents import services
from messaging import fanout

from .conftest import communicator, token_for

pytestmark = [pytest.mark.asyncio]


class SlowSocket:
    """A socket whose writes wait until the test lets them through."""

    def __init__(self):
        self.frames = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def send(self, text):
        await self.gate.wait()
        self.frames.append(json.loads(text))

    def messages(self):
        return [message for frame in self.frames for message in fanout.messages_of(frame)]


def event(seq: int) -> str:
    return json.dumps({"type": "event", "event": {"seq": seq}})


async def write_blocked(socket, outbox) -> None:
    """Start the writer and let it begin a first write that the socket holds back."""
    outbox.start()
    socket.gate.clear()
    outbox.push(event(0))
    await settle()


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_idle_socket_gets_each_message_alone_at_once():
    socket = SlowSocket()
    outbox = fanout.Outbox(socket.send)
    outbox.start()
    for n in range(3):
        outbox.push(event(n))
        await settle()
    assert [frame["type"] for frame in socket.frames] == ["event", "event", "event"]
    await outbox.stop()


async def test_messages_waiting_behind_a_slow_write_leave_as_one_batch_in_order():
    socket = SlowSocket()
    outbox = fanout.Outbox(socket.send)
    await write_blocked(socket, outbox)
    for seq in (1, 2, 3):
        outbox.push(event(seq))
    outbox.push(json.dumps({"type": "presence", "total": 1}))
    socket.gate.set()
    await settle()
    assert [frame["type"] for frame in socket.frames] == ["event", "batch"]
    assert [m.get("event", {}).get("seq") for m in socket.messages()] == [0, 1, 2, 3, None]
    assert socket.messages()[-1] == {"type": "presence", "total": 1}
    await outbox.stop()


async def test_nothing_is_written_before_start_so_the_hello_goes_first():
    socket = SlowSocket()
    outbox = fanout.Outbox(socket.send)
    outbox.push(event(7))
    await settle()
    assert socket.frames == []
    await socket.send(json.dumps({"type": "hello", "seq": 6}))
    outbox.start()
    await settle()
    assert [m["type"] for m in socket.messages()] == ["hello", "event"]
    await outbox.stop()


async def test_a_client_that_stops_reading_gets_a_resync_instead_of_an_endless_queue():
    socket = SlowSocket()
    outbox = fanout.Outbox(socket.send)
    await write_blocked(socket, outbox)
    for seq in range(1, fanout.MAX_PENDING + 50):
        outbox.push(event(seq))
    assert len(outbox._pending) <= fanout.MAX_PENDING
    socket.gate.set()
    await settle()
    received = socket.messages()
    assert received[0]["event"]["seq"] == 0  # the write in progress
    assert {"type": "resync"} in received
    # After the resync, what came later still arrives in order (the page refetches anyway).
    after = [m["event"]["seq"] for m in received[received.index({"type": "resync"}) + 1 :]]
    assert after == sorted(after)
    await outbox.stop()


@pytest.mark.django_db(transaction=True)
async def test_a_process_joins_an_incident_group_once_and_leaves_with_the_last_socket(
    incident, member, observer, settings
):
    # The in-memory layer, whatever the run's: its group table is plain to read.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    group = broadcast.incident_group(incident.pk)
    sockets = []
    for user in (member, observer, member):
        socket = communicator(f"/ws/incidents/{incident.pk}/", token=await database_sync_to_async(token_for)(user))
        assert (await socket.connect(timeout=5))[0]
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        sockets.append(socket)
    process = fanout.for_this_process()
    assert list(layer.groups[group]) == [process.channel]
    assert len(process.outboxes[incident.pk]) == 3

    await database_sync_to_async(services.log_entry_add)(actor=member, incident=incident, text="To all three")
    for socket in sockets:
        while (message := await socket.receive_json_from(timeout=5))["type"] != "event":
            pass
        assert message["event"]["seq"] == 2

    for socket in sockets:
        await socket.disconnect()
    assert incident.pk not in process.outboxes
    assert group not in layer.groups
