"""The response queue's panel of the incident workspace: how the cell is keeping up with the public.

Backlog by state and by time waited, time to first response (median, p90, from the mention's
publication), the share done within the SLA, the overdue count, and the most urgent open items
with a link to the whole queue. Live: every queue action is a crisis-log entry of the
"response" kind, which refreshes the "queue" panels (response_queue.integration); the card then
fetches its fragment (views.queue_panel) again. A fixed number of queries whatever the queue's size.
"""

from django.utils import timezone

from . import selectors
from .models import ItemState

URGENT = 5


def incident_queue(incident) -> dict:
    """The panel's context for an incident (the caller checked membership)."""
    figures = selectors.metrics(incident)
    return {
        "incident": incident,
        "metrics": figures,
        "state_counts": [(state, label, figures["by_state"][state]) for state, label in ItemState.choices],
        "urgent": list(selectors.items_of_incident(incident, open_only=True)[:URGENT]),
        "now": timezone.now(),
    }


def workspace_context(request, incident, membership, page: dict) -> dict:
    return {"queue_panel": incident_queue(incident)}
