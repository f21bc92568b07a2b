"""WebSocket clients on the real ASGI application (origin, session or token, routing)."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

from crisiscell.asgi import application
from messaging.fanout import messages_of

ORIGIN = (b"origin", b"http://localhost")
# The socket is opened on http://localhost: its Origin must be exactly that (realtime/origin.py).
HOST = (b"host", b"localhost")


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Communicator(WebsocketCommunicator):
    """Reads the messages of a batch frame one at a time, as live.js does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unread = []

    async def receive_json_from(self, timeout=1):
        if not self.unread:
            message = await super().receive_json_from(timeout)
            self.unread = messages_of(message)
        return self.unread.pop(0)

    async def receive_nothing(self, timeout=0.1, interval=0.01):
        return not self.unread and await super().receive_nothing(timeout, interval)


def communicator(
    path: str, *, token: str | None = None, session: str | None = None, origin=ORIGIN, client=("127.0.0.1", 50000)
):
    headers = [HOST, origin] if origin else [HOST]
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    socket = Communicator(application, path, headers=headers)
    socket.scope["client"] = client
    return socket


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
