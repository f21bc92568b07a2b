"""The bench's bulk log builder (bench/bulk_log.py) writes what the services would have written.

A chain that the application's verifier accepts, one live event per entry shaped as
incidents.events gives it, a level history that follows the workflow, and an incident
on which the services go on appending as if nothing special had happened.
"""

import itertools

import pytest

from bench.bulk_log import build_log
from incidents import crisislog, services, workflow
from incidents.models import Incident, IncidentEvent, LogEntry, LogKind

pytestmark = pytest.mark.django_db

N = 200


def events_of(incident) -> list[IncidentEvent]:
    return list(IncidentEvent.objects.filter(incident=incident).order_by("seq"))


def test_a_bulk_log_verifies_and_matches_its_events(incident, manager):
    before = Incident.objects.get(pk=incident.pk)
    result = build_log(incident=incident, entries=N, actor=manager, level_change_every=40, correction_every=9)

    assert (result.first_seq, result.last_seq) == (before.log_seq + 1, before.log_seq + N)
    assert result.level_changes == N // 40 and result.corrections > 0
    report = crisislog.verify_chain(incident)
    assert (report.valid, report.checked, report.problem) == (True, N + 1, "")

    entries = list(LogEntry.objects.filter(incident=incident).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, N + 2))
    assert all(e.created_at < f.created_at for e, f in itertools.pairwise(entries))
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.log_seq, stored.event_seq) == (N + 1, before.event_seq + N)
    assert (incident.log_seq, incident.event_seq, incident.level) == (stored.log_seq, stored.event_seq, stored.level)

    # The level history is a walk of allowed moves, and the incident stands where it ends.
    moves = [e for e in entries if e.kind == LogKind.LEVEL_CHANGED]
    assert len(moves) == result.level_changes
    level = before.level
    for move in moves:
        assert move.data["from"] == level and workflow.required_role(level, move.data["to"]) is not None
        level = move.data["to"]
    assert stored.level == level and stored.level_changed_at == moves[-1].created_at

    corrections = [e for e in entries if e.kind == LogKind.CORRECTION]
    assert len(corrections) == result.corrections
    for correction in corrections:
        assert correction.corrects.incident_id == incident.pk and correction.corrects.seq == correction.seq - 1

    # One event per entry, numbered on from the incident's counter, pointing at its entry.
    bulk_events = events_of(incident)[-N:]
    assert [e.seq for e in bulk_events] == list(range(before.event_seq + 1, before.event_seq + N + 1))
    assert [e.object_id for e in bulk_events] == [e.pk for e in entries[1:]]
    assert {e.data["entry"] for e in bulk_events} == {e.pk for e in entries[1:]}


def test_services_append_on_after_a_bulk_log(incident, manager, member):
    build_log(incident=incident, entries=N, actor=manager, level_change_every=0, correction_every=0)
    entry = services.log_entry_add(actor=member, incident=incident, text="After the bulk log")
    assert entry.seq == N + 2
    assert entry.prev_hash == LogEntry.objects.get(incident=incident, seq=N + 1).hash
    assert events_of(incident)[-1].seq == Incident.objects.get(pk=incident.pk).event_seq == N + 2
    assert crisislog.verify_chain(incident).valid


def test_bulk_events_look_like_the_services_events(incident, foreign_incident, manager, member, outsider):
    """Same type and data (entry ids aside) as services.log_entry_add / incident_transition give."""
    note = services.log_entry_add(actor=outsider, incident=foreign_incident, text="A note")
    services.log_entry_add(actor=outsider, incident=foreign_incident, text="Fixed", corrects=note)
    services.incident_transition(actor=outsider, incident=foreign_incident, to_level="alert", reason="Volume")

    def shapes(events):
        by_kind = {}
        for event in events:
            data = {k: v for k, v in event.data.items() if k != "entry"}
            by_kind.setdefault(data["kind"], (event.type, data))
        return by_kind

    build_log(incident=incident, entries=60, actor=manager, level_change_every=30, correction_every=7)
    expected = shapes(events_of(foreign_incident))
    got = shapes(events_of(incident))
    for kind in (LogKind.NOTE, LogKind.CORRECTION):
        assert got[kind] == expected[kind]
    # The first bulk level change is watch -> alert, like the service's move above.
    assert got[LogKind.LEVEL_CHANGED] == expected[LogKind.LEVEL_CHANGED]


def test_the_model_still_refuses_bulk_writes(incident):
    with pytest.raises(PermissionError):
        LogEntry.objects.bulk_create([LogEntry(incident=incident, seq=99)])
