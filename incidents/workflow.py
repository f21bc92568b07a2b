"""The escalation workflow: which level may follow which, and who may decide it.

The table is a core.transitions.StateMachine, as every status of the project:
ten edges, each with its own minimum role, read at a glance; the move itself is
the machine's guarded UPDATE (incidents.services.incident_transition).
"""

from cells.models import Role
from core.transitions import Move, StateMachine

from .models import Incident, Level

W, A, C, R, X = Level.WATCH, Level.ALERT, Level.CRISIS, Level.RECOVERY, Level.CLOSED

LEVELS = StateMachine(
    model=Incident,
    field="level",
    states=Level,
    moves=[
        Move(W, A, Role.MEMBER),
        Move(W, C, Role.MANAGER),  # a storm that breaks at once
        Move(A, C, Role.MANAGER),
        Move(A, W, Role.MEMBER),  # de-escalate
        Move(W, X, Role.MANAGER),  # dismissed / false alarm
        Move(A, X, Role.MANAGER),
        Move(C, R, Role.MANAGER),
        Move(C, A, Role.MANAGER),  # de-escalate
        Move(R, C, Role.MANAGER),  # relapse
        Move(R, X, Role.MANAGER),
        Move(X, A, Role.MANAGER),  # reopen
    ],
)

# (from, to) -> the weakest role allowed to make the move (the table as the README prints it).
TRANSITIONS: dict[tuple[Level, Level], Role] = {(m.source, m.target): m.role for m in LEVELS.moves}

# Whoever is weaker than this can make no move at all.
WEAKEST_ROLE: Role = min(LEVELS.roles(), key=lambda role: role.rank)


def targets_from(level: str) -> list[Level]:
    """Every level reachable from `level`, whatever the role, in workflow order."""
    return [Level(to) for to in LEVELS.targets_from(Level(level))]


def targets_for_role(level: str, role: str) -> list[Level]:
    """The moves that a person with `role` may make from `level` (the buttons to show)."""
    return [Level(to) for to in LEVELS.targets_allowed(Level(level), Role(role).includes)]


def required_role(from_level: str, to_level: str) -> Role | None:
    move = LEVELS.move(Level(from_level), Level(to_level))
    return move.role if move else None
