"""Live updates across server processes: two uvicorn processes share one Redis
(channels-redis). A change made through process A reaches a socket held by
process B; a socket that was away catches up through the events API with
every event it missed, in order, none twice."""

import json

import pytest
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from incidents import services
from messaging.fanout import messages_of

from ..services_check import redis_available, redis_url, require_service
from .servers import http

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def ws_url(server, incident) -> str:
    return server.url.replace("http://", "ws://") + f"/ws/incidents/{incident.pk}/"


def open_socket(server, incident, token):
    return connect(
        ws_url(server, incident),
        origin=server.url,
        additional_headers={"Authorization": f"Token {token}"},
        open_timeout=10,
    )


def next_event(socket, timeout=10) -> dict:
    while True:
        for message in messages_of(json.loads(socket.recv(timeout=timeout))):
            if message["type"] == "event":
                return message["event"]


def test_a_change_through_one_process_reaches_a_socket_on_the_other(asgi_server_factory, incident, member, observer):
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    # Both on the same Redis: channels-redis for the layer, the broker for Celery.
    server_a = asgi_server_factory(REDIS_URL=redis_url())
    server_b = asgi_server_factory(REDIS_URL=redis_url())
    writer = Token.objects.create(user=member).key
    reader = Token.objects.create(user=observer).key

    with open_socket(server_b, incident, reader) as socket:
        hello = json.loads(socket.recv(timeout=10))
        assert hello["type"] == "hello" and hello["seq"] == 1
        status, body = http(
            "POST", f"{server_a.url}/api/v1/incidents/{incident.pk}/log/", token=writer, body={"text": "Via A"}
        )
        assert status == 201, body
        event = next_event(socket)
        assert (event["seq"], event["type"], event["id"]) == (2, "log.note", body["id"])
    last_applied = 2

    # Away: three changes happen through A meanwhile.
    for n in range(3):
        services.log_entry_add(actor=member, incident=incident, text=f"While away {n}")
    with open_socket(server_b, incident, reader) as socket:
        hello = json.loads(socket.recv(timeout=10))
        assert hello["seq"] == 5
        status, page = http(
            "GET", f"{server_b.url}/api/v1/incidents/{incident.pk}/events/?after={last_applied}", token=reader
        )
        assert status == 200
        assert [e["seq"] for e in page["events"]] == [3, 4, 5]
        assert page["last_seq"] == 5 and not page["has_more"]
        # And live again, continuing the sequence.
        http("POST", f"{server_a.url}/api/v1/incidents/{incident.pk}/log/", token=writer, body={"text": "Back"})
        assert next_event(socket)["seq"] == 6


def test_the_handshake_refuses_a_foreign_origin_on_a_real_server(asgi_server, incident, member):
    token = Token.objects.create(user=member).key
    with pytest.raises(Exception, match="403"):
        connect(
            ws_url(asgi_server, incident),
            origin="https://evil.example",
            additional_headers={"Authorization": f"Token {token}"},
            open_timeout=10,
        )
