"""Tests that need a real service skip on a developer's bare machine, but fail in CI.

In CI (CI=true) PostgreSQL, Redis, a Celery worker and Chromium are part of the
contract: a missing one must turn the run red, never silently skip.
"""

import os
import shutil

import pytest

IN_CI = os.environ.get("CI") == "true"


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} not available on this machine (mandatory in CI)")


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


# Each test that runs real Celery workers owns a Redis database: its workers consume only
# its own tasks even when the other worker tests run at the same time on another xdist
# worker (playbooks and drills once shared 6, and the playbooks workers took the drills'
# injects against the wrong test database). Keep the numbers distinct.
WORKER_TEST_REDIS_DBS = {"reminders": 5, "playbooks": 6, "drills": 7, "integration": 14}


def dedicated_redis_url(owner: str) -> str:
    """REDIS_URL pointed at the database that `owner`'s worker test owns."""
    import urllib.parse

    db = WORKER_TEST_REDIS_DBS[owner]
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(redis_url())._replace(path=f"/{db}"))


def redis_available() -> bool:
    url = redis_url()
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def chromium_path() -> str | None:
    """Debian's Chromium (CHROMIUM_PATH to use another), if it is there."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None
