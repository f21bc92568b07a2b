"""A real HTTP server on 127.0.0.1 for the connector tests (feeds, Mastodon): no mocks.

`routes` maps a path to a function(request) -> (status, headers, body); every request
is recorded (path, query, headers) so tests can check what the connector sent."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict


@dataclass
class LocalServer:
    url: str
    routes: dict = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)


@pytest.fixture
def local_http(settings):
    # The server is on 127.0.0.1, which the connectors refuse unless allowed (monitoring/connectors/http.py).
    settings.MONITORING_FETCH_PRIVATE_HOSTS = ["127.0.0.1"]
    state = LocalServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            state.requests.append(
                Seen(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()})
            )
            route = state.routes.get(parts.path)
            status, headers, body = route(state.requests[-1]) if route else (404, {}, b"not found")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
