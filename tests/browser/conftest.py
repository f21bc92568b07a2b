"""Playwright with Debian's Chromium (`playwright install` cannot download here).

Browser tests run in their own pytest process (dev.py test): Playwright's sync
API leaves an asyncio loop running that would break async tests after it.
"""

import os

import pytest

from ..services_check import chromium_path, require_service

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = chromium_path()
    require_service(executable is not None, "Chromium (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": executable, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An English browser in Paris: the test switches the UI to French itself.
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/Paris"}


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright_loop():
    """Playwright's sync API runs an asyncio loop in this thread, and Django refuses
    ORM calls from a thread with a running loop. The test's own ORM calls (fixtures,
    assertions, the database flush) are plain synchronous code, so allow them here,
    for the browser tests only; the server subprocesses do not inherit it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
