"""Two people act on one incident at the same moment, through real HTTP, on PostgreSQL.

Two uvicorn processes (two workers each) serve the test database; threads held
at a barrier fire the requests together, so the transactions really overlap in
PostgreSQL. One process would not do: Django runs sync views of one ASGI
process in a single thread, which would serialise the requests.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from cells.models import Role
from incidents import services
from incidents.crisislog import verify_chain
from incidents.models import LogEntry, LogKind
from playbooks.models import PlaybookLogKind

from ..factories import MembershipFactory, UserFactory
from ..services_check import require_service
from .servers import http, start_asgi_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    tmp = tmp_path_factory.mktemp("servers")
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(start_asgi_server, tmp, workers=2) for _ in range(2)]
    started = [future.result() for future in futures if future.exception() is None]
    try:
        for future in futures:
            future.result()  # re-raises a failed start, after the others are known
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def managers(cell, users):
    """Two managers of `cell` with API tokens: mona, and manon who joins for the race."""
    manon = MembershipFactory(cell=cell, user=UserFactory(username="manon"), role=Role.MANAGER).user
    return [(user, Token.objects.create(user=user).key) for user in (users["manager"], manon)]


def fire_together(calls):
    """Run the calls in threads released by one barrier; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def transition_call(server, token, incident_id, body):
    return lambda: http("POST", f"{server.url}/api/v1/incidents/{incident_id}/transition/", token=token, body=body)


def assert_log_is_a_valid_chain(incident):
    seqs = list(LogEntry.objects.filter(incident=incident).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    report = verify_chain(incident)
    assert report.valid, report
    assert report.checked == len(seqs)


def test_simultaneous_escalations_one_wins_the_other_gets_409(servers, cell, managers):
    (mona, mona_token), (_manon, manon_token) = managers
    for n in range(ROUNDS):
        incident = services.incident_create(actor=mona, cell=cell, title=f"Race {n}")
        body = {"to": "crisis", "reason": f"Storm, round {n}", "expected_level": "watch"}
        results = fire_together(
            [
                transition_call(servers[0], mona_token, incident.pk, body),
                transition_call(servers[1], manon_token, incident.pk, body),
            ]
        )

        statuses = sorted(status for status, _body in results)
        assert statuses == [200, 409], f"round {n}: {results}"
        won = next(body for status, body in results if status == 200)
        lost = next(body for status, body in results if status == 409)
        assert won["level"] == "crisis"
        assert lost["current"] == {"level": "crisis"}
        incident.refresh_from_db()
        assert incident.level == "crisis"
        kinds = Counter(LogEntry.objects.filter(incident=incident).values_list("kind", flat=True))
        # The notification comes from the (eager) task of the winner only; reaching crisis
        # activates the cell (playbooks) once, whoever raced.
        expected = {
            LogKind.CREATED: 1,
            LogKind.LEVEL_CHANGED: 1,
            LogKind.NOTIFICATION: 1,
            PlaybookLogKind.ACTIVATION: 1,
        }
        assert kinds == expected, f"round {n}"
        assert_log_is_a_valid_chain(incident)


def test_simultaneous_escalations_without_expected_level_never_both_win(servers, cell, managers):
    """A client that does not say which level it saw: the loser gets 409 if it raced the
    winner's transaction, or 400 (crisis cannot go to crisis) if it read the level after it."""
    (mona, mona_token), (_manon, manon_token) = managers
    outcomes = Counter()
    for n in range(ROUNDS // 2):
        incident = services.incident_create(actor=mona, cell=cell, title=f"Blind race {n}")
        body = {"to": "crisis", "reason": f"Storm, round {n}"}
        results = fire_together(
            [
                transition_call(servers[0], mona_token, incident.pk, body),
                transition_call(servers[1], manon_token, incident.pk, body),
            ]
        )
        statuses = sorted(status for status, _body in results)
        assert statuses in ([200, 409], [200, 400]), f"round {n}: {results}"
        outcomes[statuses[0] if statuses[0] != 200 else statuses[1]] += 1
        assert LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED).count() == 1
        assert_log_is_a_valid_chain(incident)
    print(f"loser's answers: {dict(outcomes)}")


def test_parallel_log_appends_keep_one_valid_chain(servers, cell, managers, users):
    (mona, mona_token), (_manon, manon_token) = managers
    member_token = Token.objects.create(user=users["member"]).key
    incident = services.incident_create(actor=mona, cell=cell, title="Many hands")
    tokens = [mona_token, manon_token, member_token]
    calls = [
        (
            lambda n=n: http(
                "POST",
                f"{servers[n % 2].url}/api/v1/incidents/{incident.pk}/log/",
                token=tokens[n % 3],
                body={"text": f"Parallel entry {n}", "category": "information"},
            )
        )
        for n in range(10)
    ]

    results = fire_together(calls)

    assert [status for status, _body in results] == [201] * 10, results
    texts = sorted(LogEntry.objects.filter(incident=incident, kind=LogKind.NOTE).values_list("text", flat=True))
    assert texts == sorted(f"Parallel entry {n}" for n in range(10))
    assert_log_is_a_valid_chain(incident)
    # The verification is asked (POST) and run by Celery (eagerly in these servers), then read (GET).
    verify_url = f"{servers[0].url}/api/v1/incidents/{incident.pk}/log/verify/"
    asked, _ = http("POST", verify_url, token=mona_token)
    assert asked == 202
    deadline = time.monotonic() + 30
    status, report = http("GET", verify_url, token=mona_token)
    while report.get("status") != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
        status, report = http("GET", verify_url, token=mona_token)
    assert status == 200
    assert (report["valid"], report["checked"], report["first_broken"]) == (True, 11, None)
