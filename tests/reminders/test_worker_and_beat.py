"""The reminder job with real processes: Celery workers and a beat against Redis, on the PostgreSQL test database.

Due, repeat, escalate, snooze; never twice when several workers run the job at
once; and after `kill -9` of the worker in the middle of sending a reminder,
the next run sends it, once.
"""

import datetime
import os
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.db import connection
from django.utils import timezone

from facts import claims
from incidents.crisislog import verify_chain
from notifications.models import Notification
from reminders import services
from reminders.models import Reminder, ReminderLogKind, ReviewCadence
from reminders.tasks import process_due_reminders
from tests.integration.servers import celery_app_using, spawn, start_celery_worker, subprocess_env
from tests.services_check import dedicated_redis_url, redis_available, require_service

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUEUE = "celery"  # the default queue: what the beat and the workers' own follow-up tasks use
MIN = datetime.timedelta(minutes=1)


def broker_url() -> str:
    return dedicated_redis_url("reminders")


class Cluster:
    """Workers and one beat on the test database; e-mails land as files in `mail_dir`."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        # Four slashes: django-environ drops the first one of the path.
        self.env = {"EMAIL_URL": f"filemail:///{self.mail_dir}"}
        self.processes = []

    def worker(self, name: str):
        process = start_celery_worker(
            self.tmp, broker_url=broker_url(), queue=QUEUE, name=f"{name}@localhost", **self.env
        )
        self.processes.append(process)
        return process

    def beat(self):
        env = subprocess_env(self.tmp, CELERY_BROKER_URL=broker_url(), REDIS_URL=broker_url(), **self.env)
        args = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "tests.reminders.fast_beat",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(self.tmp / "beat-schedule"),
        ]
        process = spawn("celery beat", args, env, self.tmp / "beat.log")
        self.processes.append(process)
        return process

    def emails(self) -> list[str]:
        """The recipient of every e-mail sent so far."""
        recipients = []
        for path in self.mail_dir.glob("*.log"):
            recipients += [line[4:] for line in path.read_text().splitlines() if line.startswith("To: ")]
        return sorted(recipients)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log_path.name}) ---\n{p.log(6000)}" for p in self.processes)

    def wait(self, condition, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        pytest.fail(f"Timed out waiting for {what}.\n{self.logs()}")


@pytest.fixture
def cluster(transactional_db, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    with celery_app_using(broker_url(), QUEUE) as app:
        app.control.purge()
        # This Redis database is the test's own: forget what earlier runs' killed workers left unacknowledged.
        redis.Redis.from_url(broker_url()).delete("unacked", "unacked_index")
        cluster = Cluster(tmp_path)
        try:
            yield cluster
        finally:
            for process in cluster.processes:
                process.stop()
            print(cluster.logs())


def sent(reminder, occurrence) -> list[str]:
    rows = Notification.objects.filter(data__reminder=reminder.pk, data__occurrence=occurrence)
    return sorted(rows.values_list("user__username", flat=True))


def sendings(reminder) -> int:
    """Notices sent about the reminder: one row per person, counting each sending it showed."""
    return sum(Notification.objects.filter(data__reminder=reminder.pk).values_list("count", flat=True))


def make_due(reminder):
    Reminder.objects.filter(pk=reminder.pk).update(next_due_at=timezone.now() - MIN)


@pytest.fixture
def reminder(cell, incident, member):
    """A claim circulating unanswered, reported by max; escalation after one missed reminder."""
    ReviewCadence.objects.create(cell=cell, escalate_after=1, repeat_minutes=1)
    claim = claims.claim_create(actor=member, incident=incident, text="Hydra+ batteries explode")
    return Reminder.objects.get(claim=claim)


def test_due_repeat_escalate_snooze_and_never_twice(cluster, reminder, incident, member):
    cluster.worker("w1")
    cluster.worker("w2")
    cluster.beat()

    # Due: the beat's next tick sends it, to the person who reported the claim.
    make_due(reminder)
    cluster.wait(lambda: sent(reminder, 1), "the first reminder")
    reminder.refresh_from_db()
    assert sent(reminder, 1) == ["max"] and reminder.misses == 1
    assert timezone.now() < reminder.next_due_at <= timezone.now() + MIN  # repeats in a minute
    # Each sending's e-mails go out before the next sending updates the same notices (a notice
    # updated while its e-mail still waits goes out once, with the latest text: test_notifications).
    cluster.wait(lambda: len(cluster.emails()) == 1, "the first e-mail")

    # Repeat, missed once already: escalated to every manager (alice is the cell admin).
    make_due(reminder)
    cluster.wait(lambda: sent(reminder, 2), "the repeated reminder")
    assert sent(reminder, 2) == ["alice", "max", "mona"]
    cluster.wait(lambda: len(cluster.emails()) == 4, "the repeated reminder's e-mails")

    # Several runs at once on two workers, plus the beat: still one sending.
    make_due(reminder)
    for _ in range(6):
        process_due_reminders.delay()
    cluster.wait(lambda: sent(reminder, 3), "the third reminder")
    time.sleep(3)  # every queued run has had its chance
    assert sent(reminder, 3) == ["alice", "max", "mona"]
    assert sendings(reminder) == 7
    # ...in one notice per person: the bell does not fill up.
    assert Notification.objects.filter(data__reminder=reminder.pk).count() == 3
    cluster.wait(lambda: len(cluster.emails()) == 7, "the third reminder's e-mails")

    # Snoozed with a reason: the beat keeps ticking and nothing goes out.
    services.snooze(actor=member, reminder=reminder, minutes=30, reason="Waiting for the lab results")
    time.sleep(3)
    assert sendings(reminder) == 7
    # Once due again it goes out, counting misses from zero: not escalated.
    make_due(reminder)
    cluster.wait(lambda: sendings(reminder) == 8, "after the snooze")

    entries = incident.log_entries.filter(kind=ReminderLogKind.REMINDER).order_by("seq")
    assert [e.data["action"] for e in entries] == ["sent", "escalated", "escalated", "snoozed", "sent"]
    assert entries.get(data__action="snoozed").text == "Waiting for the lab results"
    assert verify_chain(incident).valid
    # One e-mail per notification, sent by the workers after commit.
    cluster.wait(lambda: len(cluster.emails()) == 8, "the e-mails")
    time.sleep(1)
    assert cluster.emails() == sorted(
        f"{user}@example.org" for user in ["max", "alice", "max", "mona", "alice", "max", "mona", "max"]
    )


def lock_connection():
    """A separate connection to the test database, as a second client would open."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or None,
    )


def queries_waiting_on_a_lock() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


def redeliver_unacked() -> int:
    """Put every delivered-but-unacknowledged message back on its queue; how many there were."""
    from crisiscell.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        qos = channel.qos
        tags = [tag.decode() for tag in channel.client.hkeys(qos.unacked_key)]
        for tag in tags:
            qos.restore_by_tag(tag, leftmost=True)
    return len(tags)


def test_a_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(cluster, reminder, incident):
    make_due(reminder)
    # Hold the incident row: the worker claims the reminder and writes the
    # notifications, then blocks on its crisis-log entry, inside its transaction.
    blocker = lock_connection()
    blocker.execute("BEGIN")
    blocker.execute("SELECT 1 FROM incidents_incident WHERE id = %s FOR NO KEY UPDATE", [incident.pk])
    try:
        worker = cluster.worker("doomed")
        cluster.beat()
        cluster.wait(lambda: queries_waiting_on_a_lock(), "the worker to be mid-task")
        # Blocked on the crisis-log append: the claim and the notifications came before it, uncommitted.
        (waiting,) = queries_waiting_on_a_lock()
        assert waiting.replace('"', "").startswith("UPDATE incidents_incident SET log_seq"), waiting
        os.killpg(worker.popen.pid, 9)
        worker.popen.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()

    # Its transaction never committed: nothing was sent, the reminder is still due.
    cluster.wait(lambda: not queries_waiting_on_a_lock(), "the dead worker's transaction to end")
    reminder.refresh_from_db()
    assert reminder.misses == 0 and not Notification.objects.exists()

    # acks_late: the killed worker's task was never acknowledged. Redeliver it
    # now (Redis would after its visibility timeout): it must not send again either.
    assert redeliver_unacked() == 1

    cluster.worker("survivor")
    cluster.wait(lambda: sent(reminder, 1), "the reminder after the restart")
    time.sleep(3)  # the ticks queued while no worker ran have all been processed
    assert sent(reminder, 1) == ["max"]
    assert Notification.objects.count() == 1
    reminder.refresh_from_db()
    assert reminder.misses == 1
    assert incident.log_entries.filter(kind=ReminderLogKind.REMINDER).count() == 1
    cluster.wait(lambda: cluster.emails() == ["max@example.org"], "the e-mail")
    assert verify_chain(incident).valid
