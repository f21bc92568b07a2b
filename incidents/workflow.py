"""The escalation workflow: which level may follow which, and who may decide it.

A plain table rather than a state-machine library: ten edges, each with its
own minimum role, read at a glance; the concurrency guard lives in the service
(a conditional UPDATE), which FSM libraries would not give us for free anyway.
"""

from cells.models import Role

from .models import Level

W, A, C, R, X = Level.WATCH, Level.ALERT, Level.CRISIS, Level.RECOVERY, Level.CLOSED

# (from, to) -> the weakest role allowed to make the move.
TRANSITIONS: dict[tuple[Level, Level], Role] = {
    (W, A): Role.MEMBER,
    (W, C): Role.MANAGER,  # a storm that breaks at once
    (A, C): Role.MANAGER,
    (A, W): Role.MEMBER,  # de-escalate
    (W, X): Role.MANAGER,  # dismissed / false alarm
    (A, X): Role.MANAGER,
    (C, R): Role.MANAGER,
    (C, A): Role.MANAGER,  # de-escalate
    (R, C): Role.MANAGER,  # relapse
    (R, X): Role.MANAGER,
    (X, A): Role.MANAGER,  # reopen
}

# Whoever is weaker than this can make no move at all.
WEAKEST_ROLE: Role = min(TRANSITIONS.values(), key=lambda role: role.rank)


def targets_from(level: str) -> list[Level]:
    """Every level reachable from `level`, whatever the role, in workflow order."""
    return [to for to in Level if (Level(level), to) in TRANSITIONS]


def targets_for_role(level: str, role: str) -> list[Level]:
    """The moves that a person with `role` may make from `level` (the buttons to show)."""
    return [to for to in targets_from(level) if Role(role).includes(TRANSITIONS[(Level(level), to)])]


def required_role(from_level: str, to_level: str) -> Role | None:
    return TRANSITIONS.get((Level(from_level), Level(to_level)))
