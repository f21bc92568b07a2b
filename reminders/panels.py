"""The active reminders shown on a claim's or a statement's page, with who may snooze them."""

from django.db.models import Q

from cells.models import Membership
from incidents.models import Incident

from . import selectors
from .forms import SnoozeForm
from .models import ReminderStatus
from .services import SNOOZE_ROLE


def reminders_for(incident: Incident, membership: Membership, *, claim=None, statement=None) -> list:
    """Active reminders of the claim, or of the statement and its versions, soonest due first."""
    reminders = selectors.reminders_for_incident(incident).filter(status=ReminderStatus.ACTIVE)
    if claim is not None:
        reminders = reminders.filter(claim=claim)
    else:
        reminders = reminders.filter(Q(statement=statement) | Q(version__statement=statement))
    rows = list(reminders)
    for reminder in rows:
        reminder.can_snooze = membership.has_role(SNOOZE_ROLE[reminder.kind])
        reminder.snooze_form = SnoozeForm(prefix=f"r{reminder.pk}") if reminder.can_snooze else None
    return rows
