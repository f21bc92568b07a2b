"""The workspace and notification sockets, through the real ASGI stack (origin check, auth, routing).

Services run in a thread (database_sync_to_async) and commit: their broadcasts
leave after commit and reach the sockets like in production.
"""

import pytest
from channels.db import database_sync_to_async

from cells import services as cells
from cells.models import Membership
from chat import services as chat
from incidents import services
from messaging.consumers import CLOSE_FORBIDDEN
from notifications.models import Notification

from .conftest import communicator, session_cookie_for, token_for

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_hasher")]

db = database_sync_to_async


async def connect(path, **kwargs):
    socket = communicator(path, **kwargs)
    connected, code = await socket.connect(timeout=5)
    return socket, connected, code


async def open_workspace(incident, user):
    socket, connected, _code = await connect(f"/ws/incidents/{incident.pk}/", token=await db(token_for)(user))
    assert connected
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    return socket, hello


async def closed_forbidden(socket) -> None:
    """The server closes the socket with 4403 (messages before the close do not matter)."""
    while True:
        message = await socket.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            assert message["code"] == CLOSE_FORBIDDEN
            return


async def next_of_type(socket, kind: str, timeout: float = 5):
    """The next message of this type (presence updates may come in between)."""
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message


async def test_anonymous_outsider_and_unknown_incident_are_refused_at_the_handshake(incident, outsider):
    for path, kwargs in [
        (f"/ws/incidents/{incident.pk}/", {}),
        (f"/ws/incidents/{incident.pk}/", {"token": await db(token_for)(outsider)}),
        (f"/ws/incidents/{incident.pk}/", {"token": "not-a-token"}),
        ("/ws/incidents/999999/", {"token": await db(token_for)(outsider)}),
        ("/ws/notifications/", {}),
    ]:
        socket, connected, _code = await connect(path, **kwargs)
        assert not connected, path
        await socket.disconnect()


async def test_a_foreign_origin_or_none_is_refused(incident, member):
    token = await db(token_for)(member)
    for origin in [(b"origin", b"https://evil.example"), None]:
        socket, connected, _code = await connect(f"/ws/incidents/{incident.pk}/", token=token, origin=origin)
        assert not connected
        await socket.disconnect()


async def test_member_gets_hello_then_events_in_order_and_nothing_of_other_incidents(
    incident, foreign_incident, member, manager, outsider, observer
):
    socket, hello = await open_workspace(incident, observer)
    assert hello["seq"] == 1 and hello["locks"] == []
    await db(services.log_entry_add)(actor=member, incident=incident, text="Relais presse")
    await db(services.incident_transition)(actor=manager, incident=incident, to_level="alert", reason="x8")
    await db(services.log_entry_add)(actor=outsider, incident=foreign_incident, text="Not yours")
    first = (await next_of_type(socket, "event"))["event"]
    second = (await next_of_type(socket, "event"))["event"]
    assert (first["seq"], first["type"]) == (2, "log.note")
    assert (second["seq"], second["type"], second["data"]["level"]) == (3, "level.changed", "alert")
    assert "log" in first["data"]["panels"]
    # Small events: no text of the entry travels on the socket.
    assert "Relais presse" not in str(first)
    # Only presence updates may remain, never the other incident's event.
    while not await socket.receive_nothing(timeout=0.5):
        assert (await socket.receive_json_from())["type"] == "presence"
    await socket.disconnect()


async def test_presence_lists_who_is_here_and_follows_idle_and_leaving(incident, member, manager):
    member_socket, _hello = await open_workspace(incident, member)
    manager_socket, hello = await open_workspace(incident, manager)
    names = {user["id"] for user in hello["presence"]["users"]}
    assert names == {member.pk, manager.pk}
    await manager_socket.send_json_to({"type": "presence", "state": "idle"})
    while True:
        update = await next_of_type(member_socket, "presence")
        states = {user["id"]: user["state"] for user in update["users"]}
        if states.get(manager.pk) == "idle":
            break
    await manager_socket.disconnect()
    while True:
        update = await next_of_type(member_socket, "presence")
        if {user["id"] for user in update["users"]} == {member.pk}:
            break
    await member_socket.disconnect()


async def test_ping_answers_the_last_seq_so_a_client_sees_a_gap(incident, member):
    socket, hello = await open_workspace(incident, member)
    await db(services.log_entry_add)(actor=member, incident=incident, text="One")
    await socket.send_json_to({"type": "ping"})
    pong = await next_of_type(socket, "pong")
    assert pong["seq"] == hello["seq"] + 1
    await socket.send_json_to({"type": "write", "text": "sockets take no writes"})
    assert (await next_of_type(socket, "error"))["detail"]
    await socket.disconnect()


async def test_removing_a_member_closes_their_sockets_at_once(incident, member, cell):
    socket, _hello = await open_workspace(incident, member)
    membership = await db(Membership.objects.get)(user=member, cell=cell)
    await db(cells.membership_remove)(membership=membership)
    await closed_forbidden(socket)
    # And the door stays shut.
    again, connected, _code = await connect(f"/ws/incidents/{incident.pk}/", token=await db(token_for)(member))
    assert not connected
    await again.disconnect()


async def test_logging_out_closes_the_sockets_of_that_session(incident, member, client):
    session = await db(session_cookie_for)(member)
    socket, connected, _code = await connect(f"/ws/incidents/{incident.pk}/", session=session)
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    other_session = await db(session_cookie_for)(member)  # another browser of the same person
    other, connected, _code = await connect(f"/ws/incidents/{incident.pk}/", session=other_session)
    assert connected

    def log_out():
        client.cookies["sessionid"] = session
        return client.post("/logout/").status_code

    assert await db(log_out)() == 302
    await closed_forbidden(socket)
    assert (await other.receive_json_from(timeout=5))["type"] == "hello"  # the other browser stays
    await other.disconnect()


async def test_the_notification_socket_counts_unread_live(incident, member, manager):
    socket, connected, _code = await connect("/ws/notifications/", token=await db(token_for)(manager))
    assert connected
    assert (await socket.receive_json_from(timeout=5)) == {"type": "unread", "count": 0, "latest": None}
    await db(chat.chat_post)(actor=member, incident=incident, text="@mona can you approve?")
    update = await next_of_type(socket, "unread")
    notification = await db(Notification.objects.get)(user=manager)
    assert update["count"] == 1 and update["latest"]["id"] == notification.pk
    from notifications.services import mark_read

    await db(mark_read)(user=manager)
    assert (await next_of_type(socket, "unread"))["count"] == 0
    await socket.disconnect()


async def test_a_role_change_reaches_every_page_of_that_user_after_commit(incident, member, observer, cell):
    """Every page has the notifications socket: it says the role changed, and the page
    re-renders its controls (static/js/role-sync.js). Nobody else hears of it."""
    badge, connected, _code = await connect("/ws/notifications/", token=await db(token_for)(member))
    assert connected
    assert (await badge.receive_json_from(timeout=5))["type"] == "unread"
    other, connected, _code = await connect("/ws/notifications/", token=await db(token_for)(observer))
    assert connected
    assert (await other.receive_json_from(timeout=5))["type"] == "unread"
    workspace, _hello = await open_workspace(incident, member)

    membership = await db(Membership.objects.get)(user=member, cell=cell)
    await db(cells.membership_change_role)(membership=membership, role="observer")
    assert await next_of_type(badge, "role") == {"type": "role", "cell": cell.pk, "role": "observer"}
    # The workspace socket stays open (an observer still reads it live); the other user hears nothing.
    assert await other.receive_nothing(timeout=0.3)
    await workspace.send_json_to({"type": "ping"})
    assert (await next_of_type(workspace, "pong"))["type"] == "pong"

    # The same role again is no change: nothing is sent.
    await db(cells.membership_change_role)(membership=membership, role="observer")
    assert await badge.receive_nothing(timeout=0.3)

    # Removed from the cell: the page hears it as "no role" (and the workspace socket closes).
    await db(cells.membership_remove)(membership=membership)
    assert await next_of_type(badge, "role") == {"type": "role", "cell": cell.pk, "role": None}
    await closed_forbidden(workspace)
    for socket in (badge, other):
        await socket.disconnect()


async def test_a_role_change_rolled_back_is_never_announced(member, cell):
    from django.db import transaction

    badge, connected, _code = await connect("/ws/notifications/", token=await db(token_for)(member))
    assert connected
    assert (await badge.receive_json_from(timeout=5))["type"] == "unread"

    def change_then_fail():
        membership = Membership.objects.get(user=member, cell=cell)
        try:
            with transaction.atomic():
                cells.membership_change_role(membership=membership, role="observer")
                raise RuntimeError("something later in the same request failed")
        except RuntimeError:
            pass

    await db(change_then_fail)()
    assert await badge.receive_nothing(timeout=0.5)
    assert (await db(Membership.objects.get)(user=member, cell=cell)).role == "member"
    await badge.disconnect()


async def test_deactivating_a_user_closes_all_their_sockets_at_once(incident, member):
    from accounts.services import user_deactivate

    workspace, _hello = await open_workspace(incident, member)
    badge, connected, _code = await connect("/ws/notifications/", token=await db(token_for)(member))
    assert connected
    assert (await badge.receive_json_from(timeout=5))["type"] == "unread"
    await db(user_deactivate)(user=member)
    for socket in (workspace, badge):
        await closed_forbidden(socket)
    again, connected, _code = await connect(f"/ws/incidents/{incident.pk}/", token=await db(token_for)(member))
    assert not connected
    await again.disconnect()


async def test_a_burst_reaches_every_socket_once_in_order_batched_or_not(incident, member, observer):
    sockets = [(await open_workspace(incident, user)) for user in (member, observer)]

    def burst():
        for n in range(30):
            services.log_entry_add(actor=member, incident=incident, text=f"Burst {n}")

    await db(burst)()
    first_seq = sockets[0][1]["seq"] + 1
    for socket, _hello in sockets:
        seqs = []
        while len(seqs) < 30:
            message = await socket.receive_json_from(timeout=5)
            if message["type"] == "event":
                seqs.append(message["event"]["seq"])
        assert seqs == list(range(first_seq, first_seq + 30))
        while not await socket.receive_nothing(timeout=0.3):
            assert (await socket.receive_json_from())["type"] != "event"  # nothing twice
        await socket.disconnect()
