"""The live incident list's socket, /ws/cells/<id>/incidents/ (issue 9): any member of the cell hears
"incident N changed" after commit, nothing of other cells; outsiders are refused; leaving the cell closes it."""

import pytest
from channels.db import database_sync_to_async

from cells import services as cells
from cells.models import Membership
from incidents import services

from .conftest import communicator, token_for
from .test_consumers import closed_forbidden, next_of_type

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_hasher")]

db = database_sync_to_async


async def open_list(cell, user):
    socket = communicator(f"/ws/cells/{cell.pk}/incidents/", token=await db(token_for)(user))
    connected, _code = await socket.connect(timeout=5)
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    return socket


async def test_members_hear_every_change_of_the_cells_incidents_and_nothing_else(
    cell, other_cell, incident, foreign_incident, member, observer, outsider
):
    socket = await open_list(cell, observer)
    await db(services.log_entry_add)(actor=member, incident=incident, text="Something happened")
    message = await next_of_type(socket, "incident.changed")
    assert message == {"type": "incident.changed", "incident": incident.pk}
    # A new incident of the cell shows up too.
    created = await db(services.incident_create)(actor=member, cell=cell, title="New one")
    assert (await next_of_type(socket, "incident.changed"))["incident"] == created.pk
    # Another cell's changes are not heard.
    await db(services.log_entry_add)(actor=outsider, incident=foreign_incident, text="Elsewhere")
    assert await socket.receive_nothing(timeout=0.5)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    await socket.disconnect()


async def test_outsiders_and_anonymous_are_refused_at_the_handshake(cell, outsider, users):
    for kwargs in ({"token": await db(token_for)(outsider)}, {}):
        socket = communicator(f"/ws/cells/{cell.pk}/incidents/", **kwargs)
        connected, _code = await socket.connect(timeout=5)
        assert not connected
        await socket.disconnect()


async def test_leaving_the_cell_closes_the_list_socket(cell, users):
    member = users["member"]
    socket = await open_list(cell, member)
    membership = await db(Membership.objects.get)(user=member, cell=cell)
    await db(cells.membership_remove)(membership=membership)
    await closed_forbidden(socket)
