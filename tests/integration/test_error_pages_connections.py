"""Error pages give their database connections back (issue 10: any logged-in user could stop the server).

Django's ASGI handler used to render the page of an exception (403, 404, 500)
in a worker thread of its own, outside the request's; the page's template
context queried the database there (the user, the unread count), and nothing
ever closed that thread's connection. With the psycopg pool each such thread
kept one of its few connections for good, until every request waited for one.

Here a real uvicorn on PostgreSQL, with a small pool, gets a burst of
concurrent 403, 404 and 500 pages; then it must still answer at once, and no
connection may be left checked out of its pool.
"""

import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from cells.models import Role

from ..factories import MembershipFactory, UserFactory
from ..services_check import require_service
from .servers import database_url_for_subprocess, http

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

POOL_SIZE = 4
THREADS = 16
REQUESTS_PER_THREAD = 12
# How the server's connections are told apart from this process's own pool.
APPLICATION_NAME = "crisiscell-error-pages-test"


def get(url: str, cookie: str = "", timeout: float = 30) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept": "text/html"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def checked_out(server) -> int:
    status, stats = http("GET", f"{server.url}/__test__/pool/")
    assert status == 200, stats
    return stats["checked_out"]


def server_sessions() -> list:
    """The server's sessions on the test database, as PostgreSQL sees them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchall()


def test_concurrent_error_pages_leave_no_connection_checked_out(asgi_server_factory, cell, users, incident):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    server = asgi_server_factory(
        DJANGO_SETTINGS_MODULE="tests.integration.error_settings",
        DATABASE_URL=f"{database_url_for_subprocess()}?application_name={APPLICATION_NAME}",
        DATABASE_POOL_MAX_SIZE=str(POOL_SIZE),
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_TIMEOUT="5",
        # The production error pages (DEBUG's technical pages would be another code path).
        DEBUG="false",
        CRISISCELL_LOCAL="true",
        SECRET_KEY=settings.SECRET_KEY,  # the session made here must be valid there
    )
    observer = MembershipFactory(cell=cell, user=UserFactory(username="olivier"), role=Role.OBSERVER).user
    browser = Client()
    browser.force_login(observer)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"

    pages = {
        403: f"{server.url}/cells/{cell.pk}/communication/",  # an observer may not see it
        404: f"{server.url}/incidents/999999/",
        500: f"{server.url}/__test__/boom/",
    }
    unknown_url = f"{server.url}/no-such-page/"  # a 404 from the URL resolver, not from a view
    assert get(pages[403], cookie) == 403
    statuses = Counter()
    lock = threading.Lock()

    def burst(n):
        for i in range(REQUESTS_PER_THREAD):
            expected, url = [(403, pages[403]), (404, pages[404]), (500, pages[500]), (404, unknown_url)][(n + i) % 4]
            status = get(url, cookie)
            with lock:
                statuses[(expected, status)] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(burst, range(THREADS)))
    elapsed = time.monotonic() - started
    wrong = {key: count for key, count in statuses.items() if key[0] != key[1]}
    assert not wrong, f"(expected, got): count {wrong}"

    # Nothing is left checked out once the last response went out.
    deadline = time.monotonic() + 10
    while checked_out(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert checked_out(server) == 0
    assert 0 < len(server_sessions()) <= POOL_SIZE, server_sessions()
    # And the server still answers at once, the database included.
    quick = time.monotonic()
    status, health = http("GET", f"{server.url}/healthz", timeout=10)
    assert status == 200, health
    assert get(f"{server.url}/incidents/{incident.pk}/", cookie) == 200
    assert time.monotonic() - quick < 5
    print(f"{sum(statuses.values())} error pages in {elapsed:.1f} s with a pool of {POOL_SIZE}")
