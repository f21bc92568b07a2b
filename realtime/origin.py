"""WebSocket Origin check: scheme, host and port must be the page's own (or a CSRF-trusted origin).

Channels' AllowedHostsOriginValidator compares the host name only: a page served
by anything else on the same host (`http://127.0.0.1:9999`) could open a socket
with a member's cookies. Here the Origin must equal the origin the socket was
opened on: the Host header's host and port, and https exactly when the
connection is secure (wss://, or https at a trusted proxy).
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from core.client_ip import scope_is_secure

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_tuple(scheme: str, host: str, port) -> tuple[str, str, int] | None:
    if scheme not in DEFAULT_PORTS or not host:
        return None
    try:
        return scheme, host.lower().rstrip("."), int(port) if port else DEFAULT_PORTS[scheme]
    except ValueError:
        return None


def parse_origin(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin)
        return _origin_tuple(parts.scheme.lower(), parts.hostname or "", parts.port)
    except ValueError:  # a port out of range
        return None


def own_origin(scope) -> tuple[str, str, int] | None:
    host_header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    host, port = split_domain_port(host_header)
    return _origin_tuple("https" if scope_is_secure(scope) else "http", host, port or None)


def origin_allowed(origin: str, scope) -> bool:
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    if parsed in {parse_origin(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    return validate_host(parsed[1], settings.ALLOWED_HOSTS) and parsed == own_origin(scope)


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = dict(scope.get("headers") or []).get(b"origin", b"").decode("latin-1")
        if scope["type"] == "websocket" and origin_allowed(origin, scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
