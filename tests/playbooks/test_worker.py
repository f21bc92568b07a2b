"""Overdue-task reminders, activation reminders and digests with real processes: two Celery workers and
a beat against Redis, on the PostgreSQL test database. Each sending goes out once, however many runs."""

import datetime
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone
from kombu import pools

from incidents import services as incidents
from incidents.crisislog import verify_chain
from notifications.models import Notification
from playbooks import activation, services
from playbooks.models import Acknowledgement, DigestSchedule, PlaybookLogKind, Preparedness, Task
from playbooks.tasks import process_due_acknowledgements, process_due_task_reminders
from tests.integration.servers import celery_app_using, spawn, start_celery_worker, subprocess_env
from tests.services_check import dedicated_redis_url, redis_available, require_service

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUEUE = "celery"
MIN = datetime.timedelta(minutes=1)


def broker_url() -> str:
    return dedicated_redis_url("playbooks")


@pytest.fixture
def cluster(transactional_db, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    processes = []
    env = {"EMAIL_URL": f"filemail:///{tmp_path}/mail"}
    (tmp_path / "mail").mkdir()

    def start():
        for name in ("w1", "w2"):
            processes.append(
                start_celery_worker(tmp_path, broker_url=broker_url(), queue=QUEUE, name=f"{name}@localhost", **env)
            )
        beat_env = subprocess_env(tmp_path, CELERY_BROKER_URL=broker_url(), REDIS_URL=broker_url(), **env)
        args = [str(Path(sys.executable).with_name("celery")), "-A", "tests.playbooks.fast_beat", "beat"]
        args += ["--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule")]
        processes.append(spawn("celery beat", args, beat_env, tmp_path / "beat.log"))

    try:
        with celery_app_using(broker_url(), QUEUE) as app:
            app.control.purge()
            redis.Redis.from_url(broker_url()).delete("unacked", "unacked_index")
            try:
                yield start
            finally:
                for process in processes:
                    process.stop()
                print("\n".join(f"--- {p.name} ---\n{p.log(4000)}" for p in processes))
    finally:
        pools.reset()


def wait(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}.")


def sendings(key: str) -> int:
    return sum(Notification.objects.filter(dedupe_key=key).values_list("count", flat=True))


def test_reminders_and_digests_go_out_once_with_real_workers(cluster, cell, users, incident):
    Preparedness.objects.create(cell=cell, escalate_after=1, task_remind_minutes=1, ack_remind_minutes=1)
    task = services.task_create(
        actor=users["member"],
        incident=incident,
        title="Appeler l'AFP",
        assignee=users["member2"],
        due_at=timezone.now(),
    )
    services.task_create(actor=users["member"], incident=incident, title="Brief", assignee=users["member"])
    incidents.incident_transition(actor=users["manager"], incident=incident, to_level="crisis", reason="national")
    act = activation.activate_by_hand(actor=users["manager"], incident=incident, message="Salle B")
    for who in ("admin", "manager", "member2", "observer"):
        activation.acknowledge(actor=users[who], activation=act, answer="on_it")
    # The automatic activation at crisis asked everyone too: only max answers nothing anywhere.
    for ack in Acknowledgement.objects.exclude(activation=act).exclude(user=users["member"]):
        activation.acknowledge(actor=ack.user, activation=ack.activation, answer="on_it")
    Task.objects.filter(pk=task.pk).update(remind_at=timezone.now() - MIN)
    Acknowledgement.objects.filter(status="pending").update(remind_at=timezone.now() - MIN)
    cluster()

    # The digest, due at the activation: each member with open tasks gets theirs, once.
    wait(lambda: Notification.objects.filter(dedupe_key=f"digest:{incident.pk}").count() == 2, "the digests")
    # The overdue task: mia is reminded.
    wait(lambda: sendings(f"task:{task.pk}") >= 1, "the task reminder")
    # max, who answered neither activation, is reminded of each.
    wait(lambda: Notification.objects.filter(dedupe_key__startswith="ack:", user=users["member"]).count() == 2, "acks")

    # Many runs at once on two workers, plus the beat: still one sending per due time.
    Task.objects.filter(pk=task.pk).update(remind_at=timezone.now() - MIN)
    for _ in range(6):
        process_due_task_reminders.delay()
        process_due_acknowledgements.delay()
    wait(lambda: Task.objects.get(pk=task.pk).remind_misses == 2, "the second task reminder")
    time.sleep(3)  # every queued run has had its chance
    task.refresh_from_db()
    assert task.remind_misses == 2
    # mia's notice counts two sendings; the managers, told at the second (escalated), one each.
    assert Notification.objects.get(dedupe_key=f"task:{task.pk}", user=users["member2"]).count == 2
    assert set(Notification.objects.filter(dedupe_key=f"task:{task.pk}").values_list("user__username", flat=True)) == {
        "mia",
        "alice",
        "mona",
    }
    entries = incident.log_entries.filter(kind=PlaybookLogKind.TASK, data__action__in=["reminded", "escalated"])
    assert [e.data["occurrence"] for e in entries.order_by("seq")] == [1, 2]
    assert DigestSchedule.objects.get(incident=incident).sent == 1
    assert verify_chain(incident).valid
