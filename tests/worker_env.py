"""Each pytest-xdist worker gets its own Redis database, before Django reads its settings.

pytest-django gives each worker its own test database (`test_..._gw1`); the
Redis side needs the same: the channel layer's groups are named by incident id
and the Celery tests purge their queue, so two workers on one Redis database
would hear each other's events and eat each other's tasks. Loaded with `-p`
(pyproject's addopts) because pytest-django sets Django up before any conftest.
"""

import os
import re

# Worker n uses the db of REDIS_URL plus 8 n (modulo Redis's 16): far from the
# few dbs developers and the bench pick by hand.
DB_STRIDE = 8


def worker_redis_url(url: str, worker: str) -> str:
    index = int(worker.removeprefix("gw"))
    match = re.match(r"^(redis://[^/]*)(?:/(\d+))?(.*)$", url)
    if not match or index == 0:
        return url
    base, db, rest = match.groups()
    return f"{base}/{(int(db or 0) + DB_STRIDE * index) % 16}{rest}"


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], _worker)
    if os.environ.get("CELERY_BROKER_URL"):
        os.environ["CELERY_BROKER_URL"] = worker_redis_url(os.environ["CELERY_BROKER_URL"], _worker)
