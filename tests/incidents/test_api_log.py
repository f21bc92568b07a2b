"""REST API v1, crisis log: list / add / correct / retrieve, append-only (405), and the chain verifier."""

import pytest

from incidents import services
from incidents.models import LogEntry, LogKind

from .support import counts, fast_password_hasher  # noqa: F401  (autouse)
from .test_crisislog import raw_sql

pytestmark = pytest.mark.django_db

# The names API clients rely on (issue 2); extras may be added, never renamed.
ENTRY_FIELDS = {"id", "incident", "kind", "category", "text", "source_url", "corrects", "actor", "created_at", "hash"}
ENTRY_EXTRAS = {"seq", "actor_name", "data"}


def log_url(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/log/"


def entry_url(entry) -> str:
    return f"/api/v1/incidents/{entry.incident_id}/log/{entry.pk}/"


def verify_url(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/log/verify/"


def test_list_newest_first_with_the_documented_fields(api, observer, incident, manager):
    services.log_entry_add(actor=manager, incident=incident, text="Premier relais presse")
    services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Volume x8")
    response = api(observer).get(log_url(incident))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["kind"] for row in rows] == ["level_changed", "note", "created"]
    for row in rows:
        assert set(row) == ENTRY_FIELDS | ENTRY_EXTRAS
        assert row["incident"] == incident.pk
        assert len(row["hash"]) == 64
    assert rows[0]["data"] == {"from": "watch", "to": "alert"}
    assert rows[0]["actor"] == manager.pk
    assert rows[0]["text"] == "Volume x8"


def test_list_pagination(api, member, incident):
    for n in range(5):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    page = api(member).get(log_url(incident), {"page_size": 2}).json()
    assert page["count"] == 6 and len(page["results"]) == 2 and page["next"]


def test_cursor_pages_walk_the_whole_log_newest_first(api, member, incident, django_assert_num_queries):
    """Keyset pages (issue 12): `next` carries a cursor; following it reads every entry once, in order,
    each page with the same queries wherever it is in the log; the count is the log's counter."""
    for n in range(6):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    client = api(member)
    page = client.get(log_url(incident), {"page_size": 3}).json()
    assert "cursor=" in page["next"] and page["previous"] is None
    seqs = []
    while True:
        assert page["count"] == 7 and len(page["results"]) <= 3
        seqs += [row["seq"] for row in page["results"]]
        if not page["next"]:
            break
        with django_assert_num_queries(2):  # the incident with the membership, the page
            page = client.get(page["next"]).json()
        assert "cursor=" in page["previous"]
    assert seqs == list(range(7, 0, -1))


def test_numbered_pages_still_work(api, member, incident):
    """`page=` (clients of before issue 12): numbered pages with page links, the same count."""
    for n in range(4):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    client = api(member)
    second = client.get(log_url(incident), {"page": 2, "page_size": 2}).json()
    assert second["count"] == 5 and [row["seq"] for row in second["results"]] == [3, 2]
    assert "page=3" in second["next"] and "cursor=" not in second["next"]
    assert client.get(log_url(incident), {"page": 9, "page_size": 2}).status_code == 404


def test_a_bad_cursor_is_a_404_not_a_500(api, member, incident):
    response = api(member).get(log_url(incident), {"cursor": "not-a-cursor"})
    assert response.status_code == 404 and response.json()["detail"]


def test_an_append_is_seven_statements(api, member, incident):
    """Issue 12 (it was 15): the incident with the membership (authorised once), then the
    service's transaction: the entry numbered with its event in one UPDATE ... RETURNING,
    the previous hash, the entry, the event; no savepoint of its own.
    (The test runs inside a transaction: the service's BEGIN and COMMIT show as a savepoint.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(member)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(log_url(incident), {"text": "Counted"}).status_code == 201
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert statements == ["SELECT", "SAVEPOINT", "UPDATE", "SELECT", "INSERT", "INSERT", "RELEASE"], statements


def test_member_adds_an_entry(api, member, incident):
    response = api(member).post(
        log_url(incident),
        {"text": "Communiqué d'attente publié ✅", "category": "communication", "source_url": "https://example.org/a"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == ENTRY_FIELDS | ENTRY_EXTRAS
    entry = LogEntry.objects.get(pk=body["id"])
    assert (entry.kind, entry.actor, entry.category, entry.text) == (
        LogKind.NOTE,
        member,
        "communication",
        "Communiqué d'attente publié ✅",
    )
    assert body["hash"] == entry.hash


def test_category_defaults_to_information(api, member, incident):
    assert api(member).post(log_url(incident), {"text": "Note"}).json()["category"] == "information"


def test_correction(api, member, incident):
    wrong = services.log_entry_add(actor=member, incident=incident, text="500 partages")
    response = api(member).post(log_url(incident), {"text": "5 000 partages", "corrects": wrong.pk})
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["corrects"]) == ("correction", wrong.pk)


def test_retrieve_one_entry(api, observer, incident):
    entry = LogEntry.objects.get(incident=incident)
    response = api(observer).get(entry_url(entry))
    assert response.status_code == 200
    assert response.json()["id"] == entry.pk


def test_entry_of_another_incident_is_not_found_under_this_one(api, member, incident, cell):
    other = services.incident_create(actor=member, cell=cell, title="Other")
    entry = LogEntry.objects.get(incident=other)
    assert api(member).get(f"{log_url(incident)}{entry.pk}/").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("role", ["member", "manager", "admin"])
def test_entries_cannot_be_changed_or_deleted(api, users, incident, method, role):
    entry = LogEntry.objects.get(incident=incident)
    before = LogEntry.objects.filter(pk=entry.pk).values().get()
    response = getattr(api(users[role]), method)(entry_url(entry), {"text": "rewritten"})
    assert response.status_code == 405
    assert LogEntry.objects.filter(pk=entry.pk).values().get() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_log_as_a_whole_cannot_be_replaced_or_deleted(api, manager, incident, method):
    before = counts()
    assert getattr(api(manager), method)(log_url(incident), []).status_code == 405
    assert counts() == before


# --- Verify ---------------------------------------------------------------------------------------


@pytest.fixture
def verify(api, django_capture_on_commit_callbacks):
    """verify(user, incident) -> the report: asked with POST (202), run by the Celery task
    (eagerly here), read back with GET. The web request never walks the log (issue 10)."""
    from crisiscell.celery import app

    def run(user, incident) -> dict:
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                asked = api(user).post(verify_url(incident))
        finally:
            app.conf.task_always_eager = False
        assert asked.status_code == 202
        response = api(user).get(verify_url(incident))
        assert response.status_code == 200
        return response.json()

    return run


def test_verify_a_valid_chain(verify, observer, incident, manager):
    services.log_entry_add(actor=manager, incident=incident, text="Une entrée en français, avec « guillemets »")
    body = verify(observer, incident)
    assert {"valid", "checked", "first_broken"} <= set(body)
    assert (body["valid"], body["checked"], body["first_broken"]) == (True, 2, None)


def test_verify_reports_the_first_broken_entry(verify, observer, incident, manager):
    for n in range(3):
        services.log_entry_add(actor=manager, incident=incident, text=f"Entry {n}")
    target = LogEntry.objects.get(incident=incident, seq=3)
    raw_sql("UPDATE incidents_logentry SET text = 'falsified' WHERE id = %s", [target.pk])
    body = verify(observer, incident)
    assert (body["valid"], body["checked"], body["first_broken"]) == (False, 3, target.pk)


def test_verify_reports_a_missing_tail(verify, observer, incident, manager):
    services.log_entry_add(actor=manager, incident=incident, text="Last words")
    last = LogEntry.objects.get(incident=incident, seq=2)
    raw_sql("DELETE FROM incidents_logentry WHERE id = %s", [last.pk])
    body = verify(observer, incident)
    assert (body["valid"], body["checked"], body["first_broken"], body["first_broken_seq"]) == (False, 1, None, 2)
    assert body["problem"]


def test_a_log_never_verified_says_so(api, observer, incident):
    body = api(observer).get(verify_url(incident)).json()
    assert (body["id"], body["status"], body["valid"]) == (None, "none", None)


def test_verify_is_not_paginated(api, observer, incident):
    body = api(observer).get(verify_url(incident), {"page_size": 1}).json()
    assert "results" not in body


def test_verify_is_asked_with_post_and_changes_no_entry(api, manager, incident):
    """POST used to be refused (405) when GET walked the log in the request; now POST asks
    for a verification (202) and writes nothing to the log itself."""
    before = LogEntry.objects.filter(incident=incident).count()
    assert api(manager).post(verify_url(incident), {}).status_code == 202
    assert LogEntry.objects.filter(incident=incident).count() == before
    for method in ("put", "patch", "delete"):
        assert getattr(api(manager), method)(verify_url(incident), {}).status_code == 405
