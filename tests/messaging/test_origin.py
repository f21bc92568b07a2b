"""The WebSocket Origin is the page's own: scheme, host and port (issue 10: `http://127.0.0.1:9999` was accepted)."""

import pytest
from channels.db import database_sync_to_async

from crisiscell.asgi import application
from realtime.origin import origin_allowed

from .conftest import Communicator, token_for

pytestmark = pytest.mark.usefixtures("fast_hasher")


def scope(host: str, *, scheme="ws", client="127.0.0.1", forwarded_proto=None):
    headers = [(b"host", host.encode())]
    if forwarded_proto:
        headers.append((b"x-forwarded-proto", forwarded_proto.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers, "client": (client, 5000)}


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://localhost", "localhost", True),
        ("http://localhost:80", "localhost", True),
        ("http://127.0.0.1:8110", "127.0.0.1:8110", True),
        ("http://127.0.0.1:9999", "127.0.0.1:8110", False),
        ("http://127.0.0.1:9999", "127.0.0.1", False),
        ("https://localhost", "localhost", False),
        ("http://evil.example", "evil.example", False),  # not an allowed host
        ("null", "localhost", False),
        ("", "localhost", False),
        ("http://localhost:99999", "localhost", False),
    ],
)
def test_origin_must_match_scheme_host_and_port(origin, host, allowed):
    assert origin_allowed(origin, scope(host)) is allowed


def test_https_origin_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.ALLOWED_HOSTS = ["crisis.example.org"]
    behind = scope("crisis.example.org", client="10.0.0.2", forwarded_proto="https")
    assert origin_allowed("https://crisis.example.org", behind)
    assert not origin_allowed("http://crisis.example.org", behind)
    # The same header from anyone else is not believed.
    spoofed = scope("crisis.example.org", client="203.0.113.5", forwarded_proto="https")
    assert not origin_allowed("https://crisis.example.org", spoofed)


def test_a_csrf_trusted_origin_is_allowed(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org"]
    assert origin_allowed("https://app.example.org", scope("localhost"))
    assert not origin_allowed("https://app.example.org:8443", scope("localhost"))


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_member_socket_from_another_port_is_refused(incident, member):
    token = await database_sync_to_async(token_for)(member)
    path = f"/ws/incidents/{incident.pk}/"
    for origin, ok in [(b"http://localhost:9999", False), (b"http://localhost", True)]:
        socket = Communicator(
            application,
            path,
            headers=[(b"host", b"localhost"), (b"origin", origin), (b"authorization", f"Token {token}".encode())],
        )
        socket.scope["client"] = ("127.0.0.1", 50000)
        connected, _code = await socket.connect(timeout=5)
        assert connected is ok, origin
        await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_wrong_socket_tokens_lock_the_address_out_of_socket_authentication(incident, member, settings):
    """The WebSocket token shares the lockout: wrong tokens count for the address, a locked
    address opens no socket even with a good token; another address still can."""
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    good = await database_sync_to_async(token_for)(member)
    path = f"/ws/incidents/{incident.pk}/"

    async def attempt(token, address):
        socket = Communicator(
            application,
            path,
            headers=[
                (b"host", b"localhost"),
                (b"origin", b"http://localhost"),
                (b"authorization", f"Token {token}".encode()),
            ],
        )
        socket.scope["client"] = (address, 50000)
        connected, _code = await socket.connect(timeout=5)
        await socket.disconnect()
        return connected

    for n in range(3):
        assert not await attempt(f"{'0' * 39}{n}", "203.0.113.90")
    assert not await attempt(good, "203.0.113.90")
    assert await attempt(good, "203.0.113.91")
