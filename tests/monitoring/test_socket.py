"""/ws/cells/<id>/monitoring/: any member hears "mentions matched" and "alert changed" after commit,
nothing of other cells; outsiders and anonymous are refused at the handshake."""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from monitoring import detection, ingest
from monitoring.models import AlertCause

from ..messaging.conftest import communicator, fast_hasher, token_for  # noqa: F401  (fixture)
from ..messaging.test_consumers import next_of_type
from .support import make_source, make_watchlist

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_hasher")]

db = database_sync_to_async


async def open_socket(cell, user):
    socket = communicator(f"/ws/cells/{cell.pk}/monitoring/", token=await db(token_for)(user))
    connected, _code = await socket.connect(timeout=5)
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    return socket


def ingest_one(cell, external_id="1"):
    source = make_source(cell, name=f"S{external_id}")
    record = ingest.MentionIn(external_id=external_id, text="Durand ment", published_at=timezone.now())
    return ingest.ingest_records(source, [record])


async def test_members_hear_matched_mentions_and_alerts_of_their_cell_only(cell, other_cell, observer):
    watchlist = await db(make_watchlist)(cell)
    await db(make_watchlist)(other_cell)
    socket = await open_socket(cell, observer)
    await db(ingest_one)(cell)
    message = await next_of_type(socket, "mentions")
    assert message == {"type": "mentions", "watchlists": [watchlist.pk], "count": 1}
    await db(ingest_one)(other_cell, "2")
    assert await socket.receive_nothing(timeout=0.5)
    alert = await db(detection.open_alert)(watchlist=watchlist, cause=AlertCause.REACH, evidence={"count": 1})
    assert (await next_of_type(socket, "alert")) == {"type": "alert", "alert": alert.pk, "status": "open"}
    await socket.disconnect()


async def test_outsiders_and_anonymous_are_refused(cell, outsider, users):
    for kwargs in ({"token": await db(token_for)(outsider)}, {}):
        socket = communicator(f"/ws/cells/{cell.pk}/monitoring/", **kwargs)
        connected, _code = await socket.connect(timeout=5)
        assert not connected
        await socket.disconnect()
