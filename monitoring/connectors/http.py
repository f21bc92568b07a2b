"""One small HTTP GET for the connectors (feeds, Mastodon): a timeout, a size cap, and every
failure as a FetchError with a message an admin can act on (shown on the source)."""

import urllib.error
import urllib.request
from dataclasses import dataclass

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


def get(url: str, headers: dict[str, str] | None = None, *, timeout: float = TIMEOUT_SECONDS) -> Response:
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"Not a web address: {url[:100]}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310  (http(s) checked above)
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
