"""Helpers shared by the domain and API tests (services, crisis log, API, permission matrix)."""

import pytest

from cells.models import Membership
from incidents import services
from incidents.models import Incident, Level, LogEntry

# How a manager brings a fresh incident (at watch) to each level.
PATHS = {
    Level.WATCH: [],
    Level.ALERT: [Level.ALERT],
    Level.CRISIS: [Level.CRISIS],
    Level.RECOVERY: [Level.CRISIS, Level.RECOVERY],
    Level.CLOSED: [Level.CLOSED],
}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The conftest's users get real passwords; PBKDF2 would cost ~2 s per test.

    Import it into a test module (`from .support import fast_password_hasher`)
    to make it apply there.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
