"""The per-incident event stream: every change numbered without gaps, in order, and the catch-up API."""

import pytest
from django.db import transaction

from chat import services as chat
from incidents import events, services
from incidents.models import Incident, IncidentEvent

from ..facts.helpers import make_fact, make_statement
from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def stream(incident) -> list[tuple[int, str]]:
    return list(IncidentEvent.objects.filter(incident=incident).order_by("seq").values_list("seq", "type"))


def events_url(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/events/"


def test_every_change_is_one_numbered_event_with_the_panels_to_refresh(incident, member, manager, users):
    services.log_entry_add(actor=member, incident=incident, text="Premier relais presse")
    services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Volume x8")
    fact = make_fact(incident, member, verifier=users["member2"])
    chat.chat_post(actor=member, incident=incident, text="On vérifie le lot 42")
    assert stream(incident) == [
        (1, "created.recorded"),
        (2, "log.note"),
        (3, "level.changed"),
        (4, "fact.created"),
        (5, "fact.verify"),
        (6, "chat.posted"),
    ]
    level = IncidentEvent.objects.get(incident=incident, type="level.changed")
    assert level.data["level"] == "alert" and level.data["from"] == "watch"
    assert set(level.data["panels"]) == {"summary", "glance", "log", "statements"}
    verified = IncidentEvent.objects.get(incident=incident, type="fact.verify")
    assert verified.data["fact"] == fact.pk and "facts" in verified.data["panels"]
    assert Incident.objects.get(pk=incident.pk).event_seq == 6


def test_a_refute_cascade_numbers_the_statement_events_too(incident, member, manager, users):
    fact = make_fact(incident, member, verifier=users["member2"])
    statement = make_statement(incident, member, facts=[fact])
    from statements import services as statements

    version = statement.versions.get()
    statements.version_submit(actor=member, version=version)
    statements.version_approve(actor=manager, version=version)
    from facts import services as facts

    facts.fact_retract(actor=manager, fact=fact, reason="New lab results")
    types = [t for _seq, t in stream(incident)]
    assert types[-2:] == ["fact.retract", "statement.needs_review"]
    seqs = [seq for seq, _t in stream(incident)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_rolled_back_change_leaves_no_event_and_no_gap(incident, member):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.log_entry_add(actor=member, incident=incident, text="Will roll back")
        raise RuntimeError
    services.log_entry_add(actor=member, incident=incident, text="Kept")
    assert stream(incident) == [(1, "created.recorded"), (2, "log.note")]


def test_events_are_broadcast_only_after_commit(incident, member, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("realtime.broadcast.send_now", lambda group, message: sent.append((group, message)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.log_entry_add(actor=member, incident=incident, text="Pending")
    assert sent == []  # nothing left before the commit
    for callback in callbacks:
        callback()
    assert sent == [
        (
            f"incident.{incident.pk}",
            {
                "type": "incident.event",
                "incident": incident.pk,
                "event": events.serialize(IncidentEvent.objects.get(seq=2, incident=incident)),
            },
        ),
        # The cell's incident lists hear that the incident changed (issue 9), after the commit too.
        (f"cell.{incident.cell_id}", {"type": "cell.incident", "incident": incident.pk}),
    ]


def test_catch_up_returns_what_came_after_in_order_once(api, observer, incident, member):
    for n in range(4):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    body = api(observer).get(events_url(incident), {"after": 2}).json()
    assert body["incident"] == incident.pk and body["last_seq"] == 5 and body["has_more"] is False
    assert [e["seq"] for e in body["events"]] == [3, 4, 5]
    assert set(body["events"][0]) == {"seq", "type", "id", "data", "actor", "at"}
    assert api(observer).get(events_url(incident), {"after": 5}).json()["events"] == []


def test_catch_up_pages_with_limit(api, observer, incident, member):
    for n in range(4):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    first = api(observer).get(events_url(incident), {"after": 0, "limit": 2}).json()
    assert [e["seq"] for e in first["events"]] == [1, 2] and first["has_more"] is True
    rest = api(observer).get(events_url(incident), {"after": 2, "limit": 10}).json()
    assert [e["seq"] for e in rest["events"]] == [3, 4, 5] and rest["has_more"] is False


@pytest.mark.parametrize("params", [{"after": "x"}, {"after": -1}, {"limit": 0}, {"limit": 501}, {"limit": "many"}])
def test_catch_up_bad_parameters_are_400_with_the_field(api, observer, incident, params):
    response = api(observer).get(events_url(incident), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_catch_up_is_for_members_only(api, outsider, incident, foreign_incident, observer):
    assert api().get(events_url(incident)).status_code in (401, 403)
    assert api(outsider).get(events_url(incident)).status_code == 404
    assert api(observer).get(events_url(foreign_incident)).status_code == 404
    assert api(observer).get("/api/v1/incidents/999999/events/").status_code == 404


def test_catch_up_query_count_does_not_grow_with_events(api, observer, incident, member, django_assert_max_num_queries):
    for n in range(30):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    client = api(observer)
    with django_assert_max_num_queries(6):
        assert len(client.get(events_url(incident)).json()["events"]) == 31
