"""Injects with a real worker and beat: delivered within 2 s of their planned time, exactly once,
paused and resumed, and still exactly once after `kill -9` of the worker mid-drill."""

import signal
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import pools

from drills import services
from drills.models import DrillLogKind, Inject
from incidents.crisislog import verify_chain
from incidents.models import LogEntry
from monitoring.models import Mention, VolumeCounter, exercise_mentions
from tests.integration.servers import celery_app_using, spawn, start_celery_worker, subprocess_env
from tests.monitoring.support import make_watchlist
from tests.services_check import dedicated_redis_url, redis_available, require_service

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUEUE = "celery"
TOLERANCE = 2.0  # seconds between the planned time and the delivery


def broker_url() -> str:
    return dedicated_redis_url("drills")


@pytest.fixture
def workers(transactional_db, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    processes = []

    class Control:
        def worker(self, name):
            process = start_celery_worker(tmp_path, broker_url=broker_url(), queue=QUEUE, name=f"{name}@localhost")
            processes.append(process)
            return process

        def beat(self):
            env = subprocess_env(tmp_path, CELERY_BROKER_URL=broker_url(), REDIS_URL=broker_url())
            args = [str(Path(sys.executable).with_name("celery")), "-A", "tests.drills.fast_beat", "beat"]
            args += ["--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule")]
            beat = spawn("celery beat", args, env, tmp_path / "beat.log")
            processes.append(beat)
            # Planned times count from the drill's start: start it once the beat ticks.
            wait(lambda: beat.log().count("Sending due task") >= 2, "the beat's first ticks")

    try:
        with celery_app_using(broker_url(), QUEUE) as app:
            app.control.purge()
            redis.Redis.from_url(broker_url()).delete("unacked", "unacked_index")
            try:
                yield Control()
            finally:
                for process in processes:
                    process.stop()
                print("\n".join(f"--- {p.name} ---\n{p.log(4000)}" for p in processes))
    finally:
        pools.reset()


def wait(condition, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}.")


def delivered(drill) -> list[Inject]:
    return list(Inject.objects.filter(drill=drill, status="delivered").order_by("position"))


def test_injects_on_time_exactly_once_paused_resumed_and_after_kill_9(workers, cell, users):
    scenario = services.scenario_save(
        actor=users["manager"],
        cell=cell,
        content={
            "name": "Rumeur",
            "crisis_type": "rumour",
            "injects": [
                {"at": 3, "kind": "log", "text": "Appel d'un journaliste"},
                {"at": 6, "kind": "claim", "text": "Le produit serait rappelé"},
                {"at": 9, "kind": "question", "text": "Point à 15 h ?"},
                {"at": 12, "kind": "log", "text": "Deuxième appel"},
                {"at": 13, "kind": "mention", "text": "Hydra+ rappelée ?! Quelle honte", "count": 25, "reach": 250000},
            ],
        },
    )
    watchlist = make_watchlist(cell, reach_threshold=100_000)
    worker = workers.worker("w1")
    workers.worker("w2")
    workers.beat()
    drill = services.drill_start(actor=users["manager"], scenario=scenario)

    wait(lambda: len(delivered(drill)) == 2, "the first two injects")
    drill = services.drill_pause(actor=users["manager"], drill=drill)
    time.sleep(4)  # the third was due meanwhile: paused, nothing comes
    assert len(delivered(drill)) == 2
    drill = services.drill_resume(actor=users["manager"], drill=drill)

    # kill -9 of a worker mid-drill; a new one takes over.
    worker.popen.send_signal(signal.SIGKILL)
    workers.worker("w3")
    wait(lambda: len(delivered(drill)) == 5, "the last injects", timeout=40)

    for inject in delivered(drill):
        late = inject.result and LogEntry.objects.get(pk=inject.result["entry"]).data["late_ms"]
        assert late is not None and 0 <= late <= TOLERANCE * 1000, (inject.position, late)
    # Exactly once: one log entry per inject, one claim.
    time.sleep(2)
    entries = LogEntry.objects.filter(incident=drill.incident, kind=DrillLogKind.DRILL, data__action="inject")
    assert sorted(entries.values_list("data__position", flat=True)) == [0, 1, 2, 3, 4]
    assert drill.incident.claims.count() == 1
    # The wave: its 25 posts once, in the cell's monitoring as an exercise, never counted in the volumes;
    # the watchlist's thresholds judged once per cause.
    posts = Mention.objects.filter(cell=cell)
    assert posts.count() == 25 and posts.filter(exercise_mentions()).count() == 25
    assert all(str(watchlist.pk) in post.matched for post in posts)
    assert not VolumeCounter.objects.filter(watchlist=watchlist).exists()
    signals = LogEntry.objects.filter(incident=drill.incident, data__action="signal")
    assert sorted(signals.values_list("data__cause", flat=True)) == ["negative", "reach", "volume"]
    assert verify_chain(drill.incident).valid
