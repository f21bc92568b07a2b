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

from .. import problems

TIMEOUT_SECONDS = 15
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "CrisisCell-monitoring/1.0 (+https://github.com/)"


class FetchError(Exception):
    """A problem (monitoring/problems.py: worded in the reader's language where it is shown).
    `retry_after`: seconds the server asked us to wait (429), if it said."""

    def __init__(self, code: str, *, status: int = 0, retry_after: float | None = None, headers=None, **params):
        self.problem = problems.Problem(code, {**params, "status": status} if status else params)
        super().__init__(self.problem.english())
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
        raise FetchError("not_web_address", url=url[:100])
    parts = urllib.parse.urlsplit(url)
    if parts.hostname in settings.MONITORING_FETCH_PRIVATE_HOSTS:
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname or "", port, type=socket.SOCK_STREAM)}
    except (OSError, ValueError, UnicodeError) as error:
        raise FetchError("unknown_host", host=parts.hostname or url[:100], detail=str(error)) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError("private_address", host=parts.hostname, ip=str(ip))


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
                raise FetchError("answer_too_large", megabytes=MAX_BYTES // 1024 // 1024)
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, body)
    except urllib.error.HTTPError as error:
        lowered = {k.lower(): v for k, v in (error.headers or {}).items()}
        if error.code == 304:
            return Response(304, lowered, b"")
        raise FetchError(
            "http_status",
            reason=str(error.reason),
            status=error.code,
            retry_after=_retry_after(lowered.get("retry-after")),
            headers=lowered,
        ) from error
    except urllib.error.URLError as error:
        raise FetchError("unreachable", detail=str(error.reason)) from error
    except TimeoutError as error:
        raise FetchError("timeout", seconds=f"{timeout:.0f}") from error
    except OSError as error:
        raise FetchError("connection_failed", detail=str(error)) from error
