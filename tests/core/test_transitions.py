"""core.transitions: the one table-and-guarded-UPDATE helper behind every status of the project."""

import pytest

from cells.models import Role
from core.transitions import Move, StateMachine
from facts.claims import STATUSES as CLAIM_STATUSES
from facts.services import STATUSES as FACT_STATUSES
from incidents import workflow
from incidents.models import Incident, Level
from statements.services import VERSIONS

MACHINE = StateMachine(
    model=Incident,
    field="level",
    states=Level,
    moves=[
        Move(Level.WATCH, Level.ALERT, Role.MEMBER, "raise"),
        Move(Level.ALERT, Level.CRISIS, Role.MANAGER, "raise"),
        Move(Level.ALERT, Level.WATCH, Role.MEMBER, "lower"),
    ],
)


def test_the_table_reads_in_the_order_of_the_states():
    assert MACHINE.targets_from(Level.ALERT) == [Level.WATCH, Level.CRISIS]
    assert MACHINE.targets_from("closed") == []
    assert MACHINE.move("alert", "crisis").role == Role.MANAGER
    assert MACHINE.move("watch", "crisis") is None


def test_who_may_is_the_callers_comparison():
    assert MACHINE.targets_allowed(Level.ALERT, Role.MEMBER.includes) == [Level.WATCH]
    assert MACHINE.targets_allowed(Level.ALERT, Role.MANAGER.includes) == [Level.WATCH, Level.CRISIS]


def test_named_actions():
    assert MACHINE.action("raise") == ((Level.WATCH, Level.ALERT), Level.ALERT, Role.MEMBER)
    assert MACHINE.actions_from(Level.ALERT) == ["raise", "lower"]
    assert MACHINE.actions_from(Level.ALERT, Role.MEMBER.includes) == ["lower"]
    with pytest.raises(KeyError):
        MACHINE.action("fly")


@pytest.mark.django_db
def test_the_guarded_update_lets_one_of_two_movers_win(incident):
    assert incident.level == Level.WATCH
    assert MACHINE.apply(incident.pk, source=Level.WATCH, target=Level.ALERT, title="moved once")
    # The second mover saw `watch` too: its UPDATE finds no row and changes nothing.
    assert not MACHINE.apply(incident.pk, source=Level.WATCH, target=Level.ALERT, title="moved twice")
    incident.refresh_from_db()
    assert (incident.level, incident.title) == (Level.ALERT, "moved once")
    assert MACHINE.current(incident.pk) == Level.ALERT


def test_every_state_machine_of_the_project_is_one():
    # The four that were written four ways (issue 11).
    for machine, model in (
        (workflow.LEVELS, "Incident"),
        (FACT_STATUSES, "Fact"),
        (CLAIM_STATUSES, "Claim"),
        (VERSIONS, "StatementVersion"),
    ):
        assert isinstance(machine, StateMachine)
        assert machine.model.__name__ == model
        for move in machine.moves:
            assert move.source in machine.states and move.target in machine.states
