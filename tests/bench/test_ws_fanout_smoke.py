"""The fan-out benchmark (bench/ws_fanout.py) stays runnable: its core, tiny, against uvicorn.

Five sockets, a burst of three committed changes: every socket gets every event
exactly once and in order, and the raw Redis baseline delivers too. No latency is
asserted: timed tests are flaky on a shared machine; the figures are in bench/README.md.
"""

import asyncio
import copy
import urllib.parse

import pytest

from bench import ws_fanout
from crisiscell.settings import channel_layer_prefix

from ..integration.servers import database_url_for_subprocess
from ..services_check import redis_available, redis_url, require_service

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

N, K = 5, 3


@pytest.fixture
def bench_redis_url(settings):
    """The same Redis server, the bench's own db: the bench's groups stay out of everyone else's."""
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    # Not the benchmark's db: a benchmark run flushes it, which must not break this test.
    url = urllib.parse.urlparse(redis_url())._replace(path=f"/{ws_fanout.BENCH_REDIS_DB + 1}").geturl()
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["hosts"][0]["address"] = url
    layers["default"]["CONFIG"]["prefix"] = channel_layer_prefix(url)  # as the server's settings make it
    settings.CHANNEL_LAYERS = layers  # this process broadcasts the burst
    return url


def test_every_socket_gets_every_event_once_and_in_order(bench_redis_url, tmp_path):
    ctx = ws_fanout.Context(
        database_url=database_url_for_subprocess(),
        redis_url=bench_redis_url,
        fixtures=ws_fanout.create_fixtures(N),
        work_dir=tmp_path,
        client_procs=1,
        settle_seconds=0.7,
        deliver_timeout=10,
    )

    async def both():
        ws = await ws_fanout.run_ws_case(ctx, "uvicorn", N, K)
        return ws, await ws_fanout.run_redis_case(ctx, N, ws["offsets"])

    ws, raw = asyncio.run(both())

    assert ws["connected"] == N, ws["connect_errors"]
    assert ws["expected"] == N * K
    assert ws["delivered"] == ws["expected"], ws
    # Each socket got exactly the burst's sequence numbers, in order, after a hello just before them.
    assert ws["ok_sockets"] == N
    assert ws["lost"] == ws["duplicates"] == ws["unexpected"] == ws["out_of_order_sockets"] == 0
    assert ws["bad_hello_sockets"] == 0 and ws["closed_early"] == 0
    assert len(ws["per_event"]) == K
    assert raw["delivered"] == raw["expected"] == N * K and raw["ok_sockets"] == N
