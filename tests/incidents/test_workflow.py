"""The escalation workflow, row by row: who may move an incident from which level to which.

Every pair of levels is tried by every role. A move of the table is made by its
roles and refused with 403 to weaker ones; a move outside the table is refused
(400) with a message listing what the current level allows. A refusal changes
nothing: same level, no crisis-log entry.
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cells.models import Role
from core.errors import Conflict
from incidents import services, workflow
from incidents.models import Incident, Level, LogEntry, LogKind
from playbooks.models import PlaybookLogKind

from .support import bring_to, fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

W, A, C, R, X = Level.WATCH, Level.ALERT, Level.CRISIS, Level.RECOVERY, Level.CLOSED

# The table of the issue, written out again rather than read from workflow.py:
# the test must fail if someone edits the table by mistake.
EXPECTED_TABLE = {
    (W, A): Role.MEMBER,
    (W, C): Role.MANAGER,
    (A, C): Role.MANAGER,
    (A, W): Role.MEMBER,
    (W, X): Role.MANAGER,
    (A, X): Role.MANAGER,
    (C, R): Role.MANAGER,
    (C, A): Role.MANAGER,
    (R, C): Role.MANAGER,
    (R, X): Role.MANAGER,
    (X, A): Role.MANAGER,
}
ROLES = ["observer", "member", "manager", "admin"]


def snapshot(incident: Incident) -> tuple[str, int]:
    incident = Incident.objects.get(pk=incident.pk)
    return incident.level, LogEntry.objects.filter(incident=incident).count()


def test_the_table_is_the_one_of_the_issue():
    assert workflow.TRANSITIONS == EXPECTED_TABLE


ALL_PAIRS = [(f, t) for f, t in itertools.product(Level, Level)]


@pytest.mark.parametrize(("from_level", "to_level"), [p for p in ALL_PAIRS if p in EXPECTED_TABLE])
@pytest.mark.parametrize("role", ROLES)
def test_move_of_the_table(users, incident, from_level, to_level, role):
    incident = bring_to(incident, from_level, users["manager"])
    allowed = Role(role).includes(EXPECTED_TABLE[(from_level, to_level)])
    before = snapshot(incident)
    if allowed:
        moved = services.incident_transition(
            actor=users[role], incident=incident, to_level=to_level, reason="Volume x8 in one hour"
        )
        assert moved.level == to_level
        # The level change, then what subscribes to it writes after it (e.g. reaching crisis
        # activates the cell: playbooks, issue 15).
        entries = list(LogEntry.objects.filter(incident=incident, seq__gt=before[1]).order_by("seq"))
        entry = entries[0]
        assert entry.kind == LogKind.LEVEL_CHANGED
        assert entry.actor == users[role]
        assert entry.text == "Volume x8 in one hour"
        assert entry.data == {"from": from_level, "to": to_level}
        assert {e.kind for e in entries[1:]} <= {PlaybookLogKind.ACTIVATION, PlaybookLogKind.PLAYBOOK}
        assert snapshot(incident) == (to_level, before[1] + len(entries))
    else:
        with pytest.raises(PermissionDenied):
            services.incident_transition(actor=users[role], incident=incident, to_level=to_level, reason="Try")
        assert snapshot(incident) == before


@pytest.mark.parametrize(("from_level", "to_level"), [p for p in ALL_PAIRS if p not in EXPECTED_TABLE])
def test_move_outside_the_table_is_refused_with_what_is_allowed(users, incident, from_level, to_level):
    incident = bring_to(incident, from_level, users["manager"])
    before = snapshot(incident)
    # Even an admin, who may make every move of the table.
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(actor=users["admin"], incident=incident, to_level=to_level, reason="Why not")
    message = " ".join(refused.value.message_dict["to"])
    for target in workflow.targets_from(from_level):
        assert str(Level(target).label) in message
    assert snapshot(incident) == before


def test_refusal_message_names_the_allowed_moves(users, incident):
    incident = bring_to(incident, A, users["manager"])
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(actor=users["manager"], incident=incident, to_level=R, reason="Calmer")
    # From alert: crisis, watch, closed (labels in the active language).
    message = refused.value.message_dict["to"][0]
    assert all(str(Level(level).label) in message for level in (W, C, X))
    assert str(Level(R).label) in message  # named as the refused target


def test_crisis_cannot_be_closed_directly(users, incident):
    incident = bring_to(incident, C, users["manager"])
    before = snapshot(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(actor=users["manager"], incident=incident, to_level=X, reason="Over")
    message = refused.value.message_dict["to"][0]
    assert str(Level.RECOVERY.label) in message and str(Level.ALERT.label) in message
    assert snapshot(incident) == before


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None])
def test_reason_is_required(manager, incident, reason):
    before = snapshot(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(actor=manager, incident=incident, to_level=A, reason=reason)
    assert "reason" in refused.value.message_dict
    assert snapshot(incident) == before


def test_reason_is_stored_stripped(manager, incident):
    services.incident_transition(actor=manager, incident=incident, to_level=A, reason="  Spike on X  \n")
    assert LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED).get().text == "Spike on X"


@pytest.mark.parametrize("to_level", ["panic", "", "WATCH", "Alert"])
def test_unknown_level(manager, incident, to_level):
    before = snapshot(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(actor=manager, incident=incident, to_level=to_level, reason="Why")
    assert "to" in refused.value.message_dict
    assert snapshot(incident) == before


def test_too_long_reason_is_refused(manager, incident):
    before = snapshot(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(actor=manager, incident=incident, to_level=A, reason="x" * 2001)
    assert "reason" in refused.value.message_dict
    assert snapshot(incident) == before


def test_stale_expected_level_is_a_conflict(users, incident):
    # Mona saw the incident at watch; Max moved it to alert meanwhile.
    services.incident_transition(actor=users["member"], incident=incident, to_level=A, reason="Spike")
    before = snapshot(incident)
    with pytest.raises(Conflict) as conflict:
        services.incident_transition(
            actor=users["manager"], incident=incident, to_level=C, reason="Storm", expected_level=W
        )
    assert conflict.value.current == {"level": A}
    assert snapshot(incident) == before


def test_matching_expected_level_is_accepted(manager, incident):
    moved = services.incident_transition(actor=manager, incident=incident, to_level=C, reason="Storm", expected_level=W)
    assert moved.level == C


def test_a_stale_instance_does_not_fool_the_guard(users, incident):
    """The service reads the level from the database, not from the caller's copy."""
    stale = Incident.objects.get(pk=incident.pk)
    services.incident_transition(actor=users["manager"], incident=incident, to_level=C, reason="Storm")
    # `stale` still says watch; watch -> alert would be allowed, crisis -> alert needs a manager.
    with pytest.raises(PermissionDenied):
        services.incident_transition(actor=users["member"], incident=stale, to_level=A, reason="Hmm")
    assert Incident.objects.get(pk=incident.pk).level == C


@pytest.mark.parametrize("to_level", [A, "panic", ""])
def test_observer_is_refused_whatever_the_input(observer, incident, to_level):
    before = snapshot(incident)
    with pytest.raises(PermissionDenied):
        services.incident_transition(actor=observer, incident=incident, to_level=to_level, reason="")
    assert snapshot(incident) == before


def test_unknown_expected_level(manager, incident):
    before = snapshot(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_transition(
            actor=manager, incident=incident, to_level=A, reason="Spike", expected_level="storm"
        )
    assert "expected_level" in refused.value.message_dict
    assert snapshot(incident) == before


def test_outsider_gets_not_found(outsider, incident):
    before = snapshot(incident)
    with pytest.raises(Http404):
        services.incident_transition(actor=outsider, incident=incident, to_level=A, reason="Not my cell")
    assert snapshot(incident) == before


def test_level_changed_at_moves_with_the_level(manager, incident):
    before = Incident.objects.get(pk=incident.pk).level_changed_at
    moved = services.incident_transition(actor=manager, incident=incident, to_level=A, reason="Spike")
    assert moved.level_changed_at > before
    assert moved.updated_at == moved.level_changed_at


def test_walk_from_watch_to_closed_and_reopen(manager, incident):
    for level in (A, C, R, X, A):
        incident = services.incident_transition(actor=manager, incident=incident, to_level=level, reason=f"to {level}")
    history = list(
        LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED)
        .order_by("seq")
        .values_list("data", flat=True)
    )
    assert [(d["from"], d["to"]) for d in history] == [(W, A), (A, C), (C, R), (R, X), (X, A)]


@pytest.mark.parametrize(
    ("level", "role", "expected"),
    [
        (W, "observer", []),
        (W, "member", [A]),
        (W, "manager", [A, C, X]),
        (A, "member", [W]),
        (A, "manager", [W, C, X]),
        (C, "member", []),
        (C, "admin", [A, R]),
        (R, "manager", [C, X]),
        (X, "member", []),
        (X, "manager", [A]),
    ],
)
def test_targets_for_role(level, role, expected):
    assert workflow.targets_for_role(level, role) == expected
