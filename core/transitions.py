"""One way to write a state machine: a declarative table of moves, and a guarded UPDATE.

Every stored status of the project (an incident's level, a fact's status, a claim's,
a statement version's; tasks and the response queue later) moves the same way:

- the table says which moves exist, by name or by (from, to), and the weakest role
  that may make each (a role is whatever the caller compares: core knows no cell);
- the move is `UPDATE ... SET status = new WHERE pk = ... AND status = old`: of two
  workers acting at once, one finds the status it expects, the other changes nothing
  and is told so (the caller raises its Conflict, in its own words).

A plain table rather than a state-machine library: the edges are read at a glance,
and the concurrency guard, which is the point, is one conditional UPDATE that no FSM
library gives us (django-fsm's `ConcurrentTransitionMixin` saves whole rows).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    # The weakest role allowed to make it (None: anyone the caller lets in).
    role: Any = None
    # The action's name, for machines whose moves are asked by name ("verify").
    action: str = ""


class StateMachine:
    """A model's status column (`field`), its states in reading order, and the moves between them."""

    def __init__(self, *, model, field: str, states: Iterable, moves: Iterable[Move]):
        self.model, self.field = model, field
        self.states = tuple(states)
        self.moves = tuple(moves)
        self._by_edge = {(m.source, m.target): m for m in self.moves}

    # --- reading the table ---------------------------------------------------
    def move(self, source, target) -> Move | None:
        return self._by_edge.get((source, target))

    def targets_from(self, source) -> list[str]:
        """Every state reachable from `source`, whatever the role, in the order of `states`."""
        return [state for state in self.states if (source, state) in self._by_edge]

    def targets_allowed(self, source, allows: Callable[[Any], bool]) -> list[str]:
        """The moves from `source` whose role `allows(role)` accepts (the buttons to show)."""
        return [to for to in self.targets_from(source) if allows(self._by_edge[(source, to)].role)]

    def action(self, name: str) -> tuple[tuple[str, ...], str, Any]:
        """A named action: (the states it starts from, the state it leads to, its role)."""
        moves = [m for m in self.moves if m.action == name]
        if not moves:
            raise KeyError(name)
        return tuple(m.source for m in moves), moves[0].target, moves[0].role

    def actions_from(self, source, allows: Callable[[Any], bool] | None = None) -> list[str]:
        """The named actions that start from `source` (and whose role `allows` accepts), in table order."""
        names = []
        for m in self.moves:
            if m.action and m.source == source and m.action not in names and (allows is None or allows(m.role)):
                names.append(m.action)
        return names

    def roles(self) -> list:
        return [m.role for m in self.moves]

    # --- the database --------------------------------------------------------
    def current(self, pk) -> str:
        return self.model.objects.values_list(self.field, flat=True).get(pk=pk)

    def apply(self, pk, *, source, target, **fields) -> bool:
        """The guarded UPDATE: True if this call moved the row from `source` to `target`,
        False if the row was no longer at `source` (someone moved it first)."""
        return bool(self.model.objects.filter(pk=pk, **{self.field: source}).update(**{self.field: target}, **fields))
