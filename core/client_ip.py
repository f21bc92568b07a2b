"""Who is the client? The TCP peer, unless that peer is one of our own proxies.

`X-Forwarded-For` and `X-Forwarded-Proto` are headers any client can send. They
are believed only when the request comes from an address in TRUSTED_PROXIES
(none by default; docker-compose.yml names its reverse proxy). Otherwise they
are removed before anything reads them: the lockout, the throttles, the HTTPS
check (SECURE_PROXY_SSL_HEADER) and the logs all see the real peer.

The ASGI server must not rewrite the peer itself (uvicorn --no-proxy-headers):
this module is the one place that decides.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(peer: str, forwarded_for: str = "") -> str:
    """The client's address: the peer, or, behind trusted proxies, the nearest untrusted hop of X-Forwarded-For."""
    if not peer or not is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):  # each proxy appends the address it saw: read from the right
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed chain: believe only what we saw
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else peer


def scope_client_address(scope) -> str:
    """client_address() for an ASGI scope (WebSockets do not pass through Django's middleware)."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    headers = dict(scope.get("headers") or [])
    return client_address(peer, headers.get(b"x-forwarded-for", b"").decode("latin-1"))


def scope_is_secure(scope) -> bool:
    """wss:// directly, or https at a trusted proxy that says so."""
    if scope.get("scheme") in ("wss", "https"):
        return True
    peer = (scope.get("client") or ("", 0))[0] or ""
    headers = dict(scope.get("headers") or [])
    return is_trusted_proxy(peer) and headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip() == "https"


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: REMOTE_ADDR becomes the client, forwarded headers are dropped unless trusted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        if is_trusted_proxy(peer):
            request.META["REMOTE_ADDR"] = client_address(peer, request.META.get("HTTP_X_FORWARDED_FOR", ""))
        else:
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
