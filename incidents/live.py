"""The incident's live messages to the sockets, composed here and sent by realtime.broadcast.

An incident's messages go to each server process once (messaging.fanout); the others
name the consumer method ("type", dots become underscores).
"""

from realtime.broadcast import cell_group, send_on_commit


def incident_group(incident_id: int) -> str:
    return f"incident.{incident_id}"


def incident_event(*, incident_id: int, payload: dict) -> None:
    """A numbered event of the incident's stream (incidents.events.record)."""
    send_on_commit(incident_group(incident_id), {"type": "incident.event", "incident": incident_id, "event": payload})


def incident_transient(*, incident_id: int, payload: dict) -> None:
    """Presence and edit locks: state, not history. Not numbered; a reconnecting
    client gets the current state in its hello instead of a replay."""
    send_on_commit(incident_group(incident_id), transient_message(incident_id=incident_id, payload=payload))


def transient_message(*, incident_id: int, payload: dict) -> dict:
    return {"type": "incident.transient", "incident": incident_id, "payload": payload}


def cell_incident_changed(*, cell_id: int, incident_id: int) -> None:
    """One of the cell's incidents changed: the open incident lists of the cell refresh.
    Only the incident's id: each page fetches its own rows (its filters, its reader's rights)."""
    send_on_commit(cell_group(cell_id), {"type": "cell.incident", "incident": incident_id})
