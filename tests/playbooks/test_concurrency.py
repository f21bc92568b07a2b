""" "Once" holds between concurrent transactions on PostgreSQL: the unique constraint decides."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection, transaction

from core.errors import Conflict
from incidents import services as incidents
from incidents.models import Incident
from playbooks import services
from playbooks.models import LevelRun, Task
from statements.models import Statement

from ..services_check import require_service
from .helpers import save_playbook

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*calls):
    """Run the calls in threads released by one barrier, each on its own connection; results or exceptions."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        try:
            return call()
        except Exception as error:
            return error
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture(autouse=True)
def postgres_only():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")


def test_two_transactions_reaching_a_level_at_once_create_its_tasks_once(cell, users, incident):
    save_playbook(users["manager"], cell)
    Incident.objects.filter(pk=incident.pk).update(level="crisis")

    def reach():
        with transaction.atomic():
            run = services.level_reached(
                incident=Incident.objects.get(pk=incident.pk), level="crisis", actor=users["manager"]
            )
            time.sleep(0.3)  # hold the transaction open: the other one waits on the unique index
            return run

    results = together(reach, reach, reach)
    assert sum(isinstance(r, LevelRun) for r in results) == 1
    assert results.count(None) == 2
    assert Task.objects.filter(incident=incident, level="crisis").count() == 3
    assert Statement.objects.filter(incident=incident).count() == 1


def test_concurrent_escalations_create_the_level_once(cell, users, incident):
    save_playbook(users["manager"], cell)
    mona = users["manager"]

    def escalate():
        return incidents.incident_transition(
            actor=mona,
            incident=Incident.objects.get(pk=incident.pk),
            to_level="alert",
            reason="race",
            expected_level="watch",
        )

    results = together(escalate, escalate)
    assert sum(isinstance(r, Incident) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert Task.objects.filter(incident=incident, level="alert").count() == 2


def test_two_managers_asking_again_at_once_get_one_more_round(cell, users, incident):
    save_playbook(users["manager"], cell)
    incidents.incident_transition(actor=users["manager"], incident=incident, to_level="alert", reason="up")

    def again():
        return services.level_apply(
            actor=users["manager"], incident=Incident.objects.get(pk=incident.pk), level="alert", again=True
        )

    results = together(again, again)
    # The incident's row lock orders them: each gets a round of its own, never the same one twice.
    assert sorted(r.round for r in results if isinstance(r, LevelRun)) in ([2, 3], [2])
    rounds = list(LevelRun.objects.filter(incident=incident, level="alert").values_list("round", flat=True))
    assert len(rounds) == len(set(rounds))
    assert Task.objects.filter(incident=incident, level="alert").count() == 2 * len(rounds)
