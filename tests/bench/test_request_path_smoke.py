"""The request-path benchmark (bench/request_path.py) stays runnable: its core, tiny.

Both servers (the application and the raw ASGI baseline) on the test database;
every request of every case answered 2xx by both; a read and the appends under a
few clients for a fraction of a second; the SQL statements of each request
counted; the raw append and the application's appends both leave a chain that the
application verifies; a 200-entry bulk log verified over HTTP, in process and in
plain Python, and its first and last pages served. No time is asserted: timed
tests are flaky on a shared machine; the figures are in bench/README.md.
"""

import asyncio

import pytest
from django.conf import settings
from django.db import connection

from bench import request_path

from ..integration.servers import database_url_for_subprocess
from ..services_check import redis_available, redis_url, require_service

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LOG = 200
MEASURED = {"incidents", "append_k1", "append_k2"}


def test_the_bench_measures_every_case(tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    scene = request_path.prepare(demo_log_entries=60, append_incidents=2, big_entries=LOG)
    ctx = request_path.Context(
        database_url=database_url_for_subprocess(),
        redis_url=redis_url(),
        secret_key=settings.SECRET_KEY,
        work_dir=tmp_path,
        clients=4,
        warmup=0.1,
        duration=0.3,
        append_incidents=(1, 2),
        sequential_repeat=2,
        verify_repeat=1,
        measured_cases=MEASURED,
        # DEBUG on: static files without collectstatic (the bench itself runs DEBUG off).
        server_overrides={"DEBUG": "true"},
    )

    report = asyncio.run(request_path.run_bench(ctx, scene))
    table, verdicts = request_path.summarise(report)

    assert {case["case"] for case in report["cases"]} == MEASURED
    for case in report["cases"]:
        for server in ("crisiscell", "raw"):
            figures = case[server]
            assert figures["ok"] > 0 and figures["ok"] == figures["requests"], (case["case"], server, figures)
            assert figures["rps"] > 0 and figures["server_cpu_ms_per_request"] >= 0
    # Every case's request, counted in process: the workspace page and an append run several statements.
    names = {"incidents", "detail", "log", "facts", "statements", "workspace", "append_k1"}
    assert set(report["statements"]) == names
    assert all(count["statements"] > 0 for count in report["statements"].values())
    assert report["statements"]["append_k1"]["by_kind"]["INSERT"] >= 1
    # The raw hash-chained append writes the application's chain: its verifier accepts both.
    assert len(report["chains_valid"]) == 4 and all(report["chains_valid"].values())

    verify = report["verification"]
    assert verify["entries"] == LOG
    assert verify["ask"]["status"] == 202  # a web request only asks; the worker verifies
    assert verify["function"] == {**verify["function"], "valid": True, "checked": LOG}
    assert verify["plain"]["valid"] is True and verify["plain"]["checked"] == LOG

    pages = report["pagination"]
    mode = "cursor" if pages["cursor"] else "page"
    assert pages[mode]["first"]["median_ms"] > 0 and pages[mode]["last"]["median_ms"] > 0
    assert pages["last_page_seqs"] == [1, request_path.PAGE_SIZE]
    assert pages["workspace"]["median_ms"] > 0

    assert "GET /api/v1/incidents/" in table and "verification of a 200-entry log" in table
    assert set(verdicts["verdicts"]) >= MEASURED | {"verify_function", f"last_page_{mode}"}
