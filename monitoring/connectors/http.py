"""One small HTTP GET for the connectors (feeds, Mastodon): a timeout, a size cap, no request
to the server's own network, and every failure as a FetchError with a message an admin can act
on (shown on the source)."""

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

TIMEOUT_SECONDS = 15
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "CrisisCell-monitoring/1.0 (+https://github.com/)"


class FetchError(Exception):
    """`retry_after`: seconds the server asked us to wait (429), if it said."""

    def __init__(self, message: str, *, status: int = 0, retry_after: float | None = None, headers=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.headers = headers or {}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def check_public(url: str) -> None:
    """Refuse an address that leads into the server's own network (loopback, private ranges,
    link-local such as a cloud's metadata service): a cell admin types these URLs, and the
    server fetches them. MONITORING_FETCH_PRIVATE_HOSTS names the host names allowed anyway
    (a feed on the intranet; the tests' local servers)."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"Not a web address: {url[:100]}")
    parts = urllib.parse.urlsplit(url)
    if parts.hostname in settings.MONITORING_FETCH_PRIVATE_HOSTS:
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname or "", port, type=socket.SOCK_STREAM)}
    except (OSError, ValueError, UnicodeError) as error:
        raise FetchError(f"Cannot find the server {parts.hostname or url[:100]}: {error}") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError(
                f"{parts.hostname} is a private or local address ({ip}): the server does not fetch from its own "
                "network. Use a public address, or ask the server's administrator to allow it "
                "(MONITORING_FETCH_PRIVATE_HOSTS)."
            )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """A public address must not redirect the server into its own network either."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_CheckedRedirects)


def get(url: str, headers: dict[str, str] | None = None, *, timeout: float = TIMEOUT_SECONDS) -> Response:
    check_public(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})  # noqa: S310
    try:
        with _opener.open(request, timeout=timeout) as answer:  # http(s) and public: checked above
            body = answer.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchError(f"The answer is larger than {MAX_BYTES // 1024 // 1024} MB.")
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, body)
    except urllib.error.HTTPError as error:
        lowered = {k.lower(): v for k, v in (error.headers or {}).items()}
        if error.code == 304:
            return Response(304, lowered, b"")
        raise FetchError(
            f"HTTP {error.code} {error.reason}",
            status=error.code,
            retry_after=_retry_after(lowered.get("retry-after")),
            headers=lowered,
        ) from error
    except urllib.error.URLError as error:
        raise FetchError(f"Cannot reach the server: {error.reason}") from error
    except TimeoutError as error:
        raise FetchError(f"No answer within {timeout:.0f} s.") from error
    except OSError as error:
        raise FetchError(f"Connection failed: {error}") from error
