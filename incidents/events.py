"""The per-incident event stream: every change, numbered in commit order.

`record` runs inside the transaction of the change. The counter lives on the
incident row (`Incident.event_seq`), bumped with an UPDATE that holds the row
lock until commit: two transactions of one incident number their events one
after the other, and commit in that order, so `seq > N` never skips an event
that commits later.
"""

from django.db import transaction
from django.db.models import F, QuerySet

from . import live as broadcast
from . import log_kinds
from .models import Incident, IncidentEvent, LogEntry, LogKind

EVENTS_PAGE_MAX = 500


def record(
    *,
    incident_id: int,
    type: str,
    object_id=None,
    data: dict | None = None,
    actor=None,
    seq: int | None = None,
    cell_id: int | None = None,
) -> IncidentEvent:
    """Number and store one event, and broadcast it after commit. Inside the caller's transaction.

    `seq` and `cell_id`: already numbered by the caller, in the statement that bumped
    `event_seq` in this transaction (the crisis log numbers its entry and its event at once).
    """
    if transaction.get_connection().in_atomic_block:
        # In the caller's transaction, as always in the services: no savepoint of its own.
        return _record(incident_id, type, object_id, data, actor, seq, cell_id)
    with transaction.atomic():  # alone, it still holds the lock until its commit
        return _record(incident_id, type, object_id, data, actor, seq, cell_id)


def _record(incident_id, type, object_id, data, actor, seq, cell_id) -> IncidentEvent:
    if seq is None:
        Incident.objects.filter(pk=incident_id).update(event_seq=F("event_seq") + 1)
        seq, cell_id = Incident.objects.values_list("event_seq", "cell_id").get(pk=incident_id)
    event = IncidentEvent.objects.create(
        incident_id=incident_id, seq=seq, type=type, object_id=object_id, data=data or {}, actor=actor
    )
    broadcast.incident_event(incident_id=incident_id, payload=serialize(event))
    # The cell's incident lists show counts and levels of every incident: they hear of it too.
    broadcast.cell_incident_changed(cell_id=cell_id, incident_id=incident_id)
    return event


def serialize(event: IncidentEvent) -> dict:
    """The wire form, the same live and through the catch-up API."""
    return {
        "seq": event.seq,
        "type": event.type,
        "id": event.object_id,
        "data": event.data,
        "actor": event.actor_id,
        "at": event.created_at.isoformat(),
    }


def event_type_for(entry: LogEntry) -> str:
    if entry.kind == LogKind.LEVEL_CHANGED:
        return "level.changed"
    if entry.kind in (LogKind.NOTE, LogKind.CORRECTION):
        return f"log.{entry.kind}"
    action = (entry.data or {}).get("action")
    return f"{entry.kind}.{action}" if action else f"{entry.kind}.recorded"


def log_entry_recorded(entry: LogEntry, *, seq: int | None = None, cell_id: int | None = None) -> IncidentEvent:
    """The event of a crisis-log entry: every business change of an incident writes one.

    `seq`, `cell_id`: the event's number, when the append took it with the entry's."""
    data = {"panels": log_kinds.panels(entry.kind), "entry": entry.pk, "kind": entry.kind}
    details = entry.data or {}
    if entry.kind == LogKind.LEVEL_CHANGED:
        data["level"] = details.get("to")
        data["from"] = details.get("from")
    for key in ("fact", "claim", "statement", "version"):
        if key in details:
            data[key] = details[key]
    return record(
        incident_id=entry.incident_id,
        type=event_type_for(entry),
        object_id=entry.pk,
        data=data,
        actor=entry.actor,
        seq=seq,
        cell_id=cell_id,
    )


def events_after(incident: Incident, after: int, limit: int = EVENTS_PAGE_MAX) -> QuerySet[IncidentEvent]:
    return IncidentEvent.objects.filter(incident=incident, seq__gt=after).order_by("seq")[:limit]
