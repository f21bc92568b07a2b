"""The worker tests run at the same time on different xdist workers: each needs a Redis
database no other one (nor the app under test, on REDIS_URL's own database) uses."""

import urllib.parse

from tests.services_check import WORKER_TEST_REDIS_DBS, dedicated_redis_url
from tests.worker_env import worker_redis_url


def test_every_worker_test_owns_a_distinct_redis_database(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    dbs = list(WORKER_TEST_REDIS_DBS.values())
    assert len(set(dbs)) == len(dbs)
    # CI's REDIS_URL database and the ones the xdist workers derive from it (the app's broker,
    # cache and channel layer in each worker).
    for worker in ("gw0", "gw1", "gw2", "gw3"):
        app_db = int(urllib.parse.urlsplit(worker_redis_url("redis://127.0.0.1:6379/0", worker)).path[1:])
        assert app_db not in dbs, worker
    assert dedicated_redis_url("drills") == "redis://127.0.0.1:6379/7"
    assert {urllib.parse.urlsplit(dedicated_redis_url(owner)).path for owner in WORKER_TEST_REDIS_DBS} == {
        f"/{db}" for db in dbs
    }
