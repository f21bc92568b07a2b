"""Two managers act on one version at the same moment, through real HTTP, on PostgreSQL.

Two uvicorn processes (two workers each) serve the test database; threads held
at a barrier fire the requests together, so the transactions really overlap.
"""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from incidents.crisislog import verify_chain
from statements import services
from statements.models import StatementLogKind, StatementVersion
from tests.facts.helpers import make_fact, make_statement, version
from tests.integration.servers import start_asgi_server
from tests.services_check import require_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    tmp = tmp_path_factory.mktemp("servers")
    with ThreadPoolExecutor(2) as pool:
        started = list(pool.map(lambda _: start_asgi_server(tmp, workers=2), range(2)))
    yield started
    for server in started:
        server.stop()


def request(method, url, token, body=None, headers=None) -> tuple[int, dict]:
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http://127.0.0.1 only
    for name, value in {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Language": "en",
        "Authorization": f"Token {token}",
        **(headers or {}),
    }.items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def together(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def tokens(users):
    return {role: Token.objects.create(user=users[role]).key for role in ("admin", "manager", "member", "member2")}


def test_approve_against_reject_exactly_one_wins(servers, incident, users, manager, tokens):
    fact = make_fact(incident, users["member2"], verifier=manager)
    outcomes = Counter()
    for n in range(ROUNDS):
        statement = make_statement(incident, users["member"], facts=[fact], text=f"Round {n}")
        submitted = services.version_submit(actor=users["member"], version=version(statement))
        url = f"/api/v1/incidents/{incident.pk}/statements/{statement.pk}/versions/{submitted.number}"
        approve = (servers[n % 2].url + url + "/approve/", tokens["manager"], {})
        reject = (servers[(n + 1) % 2].url + url + "/reject/", tokens["admin"], {"comment": "Not yet"})
        results = together([lambda a=a: request("POST", *a) for a in (approve, reject)])

        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 409], f"round {n}: {results}"
        winner = next(body for status, body in results if status == 200)
        loser = next(body for status, body in results if status == 409)
        assert loser["current"]["status"] == winner["status"]
        assert "reload" in loser["detail"]
        stored = StatementVersion.objects.get(pk=submitted.pk)
        assert stored.status == winner["status"]
        decisions = statement.incident.log_entries.filter(
            kind=StatementLogKind.STATEMENT, data__statement=statement.pk, data__action__in=["approve", "reject"]
        )
        assert decisions.count() == 1
        outcomes[winner["status"]] += 1
    report = verify_chain(incident)
    assert report.valid, report
    print(f"winners: {dict(outcomes)}")


def test_two_editors_with_the_same_etag_one_saves_the_other_gets_412(servers, incident, users, tokens):
    for n in range(ROUNDS // 2):
        statement = make_statement(incident, users["member"], text=f"Draft {n}")
        draft = version(statement)
        url = f"/api/v1/incidents/{incident.pk}/statements/{statement.pk}/versions/1/"
        calls = [
            lambda who=who, target=server.url + url, etag=draft.etag: request(
                "PATCH", target, tokens[who], {"text": f"{who}'s text"}, headers={"If-Match": etag}
            )
            for who, server in (("member", servers[0]), ("member2", servers[1]))
        ]
        results = together(calls)
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 412], f"round {n}: {results}"
        winner = next(body for status, body in results if status == 200)
        assert version(statement).text == winner["text"]
        assert version(statement).revision == 2
