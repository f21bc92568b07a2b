"""Broadcasts from outside the ASGI server (Celery, commands) reuse one event loop per process
(issue 12): async_to_sync used to start a loop, and a Redis connection, for every message."""

import asyncio

from asgiref.sync import async_to_sync, sync_to_async

from realtime import broadcast


class RecordingLayer:
    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        self.sent.append((group, message["type"], asyncio.get_running_loop()))


def test_sends_without_an_event_loop_share_one_loop(monkeypatch):
    layer = RecordingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: layer)
    broadcast.send_now("incident.1", {"type": "incident.event"})
    broadcast.send_now("cell.2", {"type": "cell.incident"})
    assert [(group, kind) for group, kind, _loop in layer.sent] == [
        ("incident.1", "incident.event"),
        ("cell.2", "cell.incident"),
    ]
    first, second = layer.sent[0][2], layer.sent[1][2]
    assert first is second and first.is_running()


def test_under_a_running_loop_the_send_goes_to_that_loop(monkeypatch):
    """A request's thread under the ASGI server: the server's own loop sends (as before)."""
    layer = RecordingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: layer)

    async def request():
        await sync_to_async(broadcast.send_now)("incident.1", {"type": "incident.event"})
        return asyncio.get_running_loop()

    request_loop = async_to_sync(request)()
    assert layer.sent[0][2] is request_loop


def test_a_failing_send_is_logged_not_raised(monkeypatch, caplog):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(broadcast, "get_channel_layer", Broken)
    broadcast.send_now("incident.1", {"type": "incident.event"})
    assert "Could not broadcast incident.event to incident.1" in caplog.text
