"""The queue item's state machine (core.transitions): the table of moves, and the guarded UPDATE.

On PostgreSQL two transactions updating the same row queue on its lock; the
second re-reads the row after the first commits, finds the state moved, updates
nothing and gets a Conflict. So of 50 people claiming one item, exactly one wins.

core's `StateMachine.apply` guards on the state alone; answering also guards on
who holds the item (a member answers only their own), so the UPDATE here adds
that condition to the same WHERE clause: one statement, no window between them.
"""

from django.db.models import F
from django.utils.translation import gettext as _

from cells.models import Role
from core.errors import Conflict
from core.transitions import Move, StateMachine

from .models import ItemState, QueueItem

N, A, D, X, E = ItemState.NEW, ItemState.ASSIGNED, ItemState.ANSWERED, ItemState.NO_REPLY, ItemState.ESCALATED

MACHINE = StateMachine(
    model=QueueItem,
    field="state",
    states=ItemState.values,
    moves=[
        Move(N, A, Role.MEMBER, "claim"),
        Move(N, A, Role.MANAGER, "assign"),
        Move(A, A, Role.MANAGER, "assign"),
        Move(N, D, Role.MEMBER, "answer"),
        Move(A, D, Role.MEMBER, "answer"),
        Move(N, X, Role.MEMBER, "no_reply"),
        Move(A, X, Role.MEMBER, "no_reply"),
        Move(N, E, Role.MEMBER, "escalate"),
        Move(A, E, Role.MEMBER, "escalate"),
    ],
)


def move(item: QueueItem, *, action: str, extra_guard: dict | None = None, **fields) -> QueueItem:
    """Make the named move from the state the caller saw; Conflict when someone moved the item first."""
    sources, target, _role = MACHINE.action(action)
    moved = 0
    if item.state in sources:
        moved = QueueItem.objects.filter(pk=item.pk, state=item.state, **(extra_guard or {})).update(
            state=target, revision=F("revision") + 1, **fields
        )
    if not moved:
        current = QueueItem.objects.select_related("assignee").get(pk=item.pk)
        who = (current.assignee.get_full_name() or current.assignee.username) if current.assignee else ""
        raise Conflict(
            _("Someone acted on this item first: it is now %(state)s%(who)s. Reload it.")
            % {"state": ItemState(current.state).label, "who": f" ({who})" if who else ""},
            current={"state": current.state, "assignee": current.assignee_id, "revision": current.revision},
        )
    item.refresh_from_db()
    return item
