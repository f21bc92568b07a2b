"""The lockout through a real uvicorn with two worker processes, started as deployed (issue 10).

uvicorn used to take the client address from X-Forwarded-For (from 127.0.0.1 by
default, from anyone with --forwarded-allow-ips=*): a new header per attempt
allowed 60 wrong passwords and let a locked-out user in. The counts must also be
shared by the processes (the cache is Redis when REDIS_URL is set, files otherwise).
"""

import json
import urllib.error
import urllib.request
import uuid

import pytest

from .servers import http

pytestmark = pytest.mark.django_db(transaction=True)


def token_attempt(server, username, password, forwarded_for) -> int:
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        f"{server.url}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def server(asgi_server_factory):
    return asgi_server_factory(
        workers=2,
        AXES_FAILURE_LIMIT="5",
        LOGIN_IP_FAILURE_LIMIT="8",
        TOKEN_THROTTLE_RATE="1000/min",
        CACHE_KEY_PREFIX=f"lockout-test-{uuid.uuid4().hex}",
    )


def test_forged_forwarded_for_dodges_nothing_and_processes_share_the_counts(server, users, password):
    statuses = [token_attempt(server, "mona", f"wrong-{n}", f"198.51.100.{n}") for n in range(20)]
    assert statuses[:4] == [400] * 4, statuses
    assert set(statuses[4:]) == {429}, statuses
    assert token_attempt(server, "mona", password, "192.0.2.200") == 429

    # Spraying from this address (the server's peer is 127.0.0.1 whatever the header says).
    sprayed = [token_attempt(server, f"someone-{n}", "123456", f"198.51.100.{n}") for n in range(3)]
    # Every failure above counted for 127.0.0.1 too (a locked username's attempts included): locked.
    assert sprayed == [429, 429, 429]
    status, body = http("POST", f"{server.url}/api/v1/auth/token/", body={"username": "max", "password": password})
    assert status == 429, body
