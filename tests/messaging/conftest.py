"""WebSocket clients on the real ASGI application (origin, session or token, routing)."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

from crisiscell.asgi import application

ORIGIN = (b"origin", b"http://localhost")


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def communicator(path: str, *, token: str | None = None, session: str | None = None, origin=ORIGIN):
    headers = [origin] if origin else []
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
