from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cells.models import Membership, Role
from incidents.models import Incident
from incidents.selectors import get_incident_for_user

from .models import Reminder


def reminders_for_incident(incident: Incident) -> QuerySet[Reminder]:
    """Active ones first, the soonest due on top."""
    return (
        Reminder.objects.filter(incident=incident)
        .select_related("statement", "version__statement", "claim", "snoozed_by")
        .order_by("status", "next_due_at", "id")
    )


def get_reminder_for_user(user, incident_id, reminder_id, minimum: Role = Role.OBSERVER) -> tuple[Reminder, Membership]:
    incident, membership = get_incident_for_user(user, incident_id, minimum)
    try:
        reminder = reminders_for_incident(incident).select_related("incident__cell").get(pk=int(reminder_id))
    except (Reminder.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such reminder in this incident.")) from None
    return reminder, membership
