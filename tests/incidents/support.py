"""Helpers shared by the domain and API tests (services, crisis log, API, permission matrix)."""

from cells.models import Membership
from incidents import services
from incidents.models import Incident, Level, LogEntry

# The root conftest's autouse fixture; modules still import it from here by name.
from ..conftest import fast_password_hasher  # noqa: F401

# How a manager brings a fresh incident (at watch) to each level.
PATHS = {
    Level.WATCH: [],
    Level.ALERT: [Level.ALERT],
    Level.CRISIS: [Level.CRISIS],
    Level.RECOVERY: [Level.CRISIS, Level.RECOVERY],
    Level.CLOSED: [Level.CLOSED],
}


def bring_to(incident: Incident, level: str, manager) -> Incident:
    for step in PATHS[Level(level)]:
        incident = services.incident_transition(actor=manager, incident=incident, to_level=step, reason="set-up")
    return incident


def counts() -> dict[str, int]:
    """Rows of everything a refused request must leave alone."""
    return {
        "incidents": Incident.objects.count(),
        "log_entries": LogEntry.objects.count(),
        "memberships": Membership.objects.count(),
    }


def state_of(incident: Incident) -> dict:
    """What a refused request must not change on one incident."""
    row = Incident.objects.filter(pk=incident.pk).values().get()
    return {**row, "log_entries": LogEntry.objects.filter(incident_id=incident.pk).count()}
