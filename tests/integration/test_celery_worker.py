"""A real Celery worker process, a real Redis broker, the PostgreSQL test database.

The escalation to crisis is committed by the service; its on_commit hook
enqueues `notify_level_change`; the worker (another process) e-mails the cell
and writes the `notification` entry of the crisis log. Delivered twice, the task
still notifies once.
"""

import time
import uuid

import pytest
import redis
from django.db import connection

from incidents import services
from incidents.crisislog import verify_chain
from incidents.models import LevelChangeNotice, LogEntry, LogKind
from notifications.tasks import notify_level_change

from ..services_check import dedicated_redis_url, redis_available, require_service
from .servers import celery_app_using, start_celery_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    broker_url = dedicated_redis_url("integration")  # and below a queue of its own
    queue = f"crisiscell-test-{uuid.uuid4().hex[:12]}"
    with celery_app_using(broker_url, queue) as app:
        app.control.purge()
        process = start_celery_worker(tmp_path, broker_url=broker_url, queue=queue, name=f"{queue}@localhost")
        try:
            yield process
        finally:
            code = process.stop()
            print(f"--- celery worker (exit {code}) log (tail) ---\n{process.log(8000)}")
            forget_queue(broker_url, queue)


def forget_queue(broker_url: str, queue: str) -> None:
    """Remove the keys kombu kept in Redis for this test's queue."""
    client = redis.Redis.from_url(broker_url)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def wait_until(condition, process, *, timeout: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.alive(), f"the worker died. Its log:\n{process.log(8000)}"
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout}s waiting for {what}. Worker log:\n{process.log(8000)}")


def notifications(incident):
    return LogEntry.objects.filter(incident=incident, kind=LogKind.NOTIFICATION)


def test_worker_notifies_an_escalation_once_even_if_the_task_runs_twice(worker, cell, users, incident, manager):
    # To alert: reaching crisis also activates the cell (playbooks), whose own e-mails go to everyone.
    services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Storm on X")
    level_change = LogEntry.objects.get(incident=incident, kind=LogKind.LEVEL_CHANGED)

    wait_until(lambda: notifications(incident).exists(), worker, what="the worker's notification entry")

    notice = LevelChangeNotice.objects.get(entry=level_change)
    # Every member of the cell with an e-mail address but the manager who escalated.
    assert notice.recipients == 4
    assert notifications(incident).get().data == {"entry": level_change.pk, "recipients": 4}
    # The e-mails, in the worker's log (console backend).
    assert all(f"To: {name}@example.org" in worker.log() for name in ("alice", "max", "mia", "olga"))
    assert "To: mona@example.org" not in worker.log()

    # The same task delivered again, then a marker task behind it: the solo worker
    # runs its queue in order, so once the marker is done the duplicate ran too.
    notify_level_change.delay(level_change.pk)
    marker = services.incident_create(actor=manager, cell=cell, title="Marker")
    services.incident_transition(actor=manager, incident=marker, to_level="alert", reason="Marker")
    wait_until(lambda: notifications(marker).exists(), worker, what="the marker task")

    assert LevelChangeNotice.objects.filter(entry=level_change).count() == 1
    assert notifications(incident).count() == 1
    assert f"Level change {level_change.pk} already notified" in worker.log()
    report = verify_chain(incident)
    assert report.valid and report.checked == 3
