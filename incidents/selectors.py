"""Reads on incidents, always scoped to the cells the user belongs to."""

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import cell_ids_with_role, membership_for, require_role
from cells.models import Membership, Role

from .models import Incident, LogEntry, LogKind


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Every incident of every cell the user is a member of (observers included)."""
    return Incident.objects.filter(cell_id__in=cell_ids_with_role(user)).select_related("cell", "owner")


def get_incident_for_user(user, incident_id, minimum: Role = Role.OBSERVER) -> tuple[Incident, Membership]:
    """The incident and the user's membership of its cell.

    404 when it does not exist or the user is not in its cell (we do not reveal
    which); 403 when the user is in the cell with a role weaker than `minimum`.
    """
    try:
        incident = Incident.objects.select_related("cell", "owner").get(pk=int(incident_id))
    except (Incident.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such incident.")) from None
    membership = membership_for(user, incident.cell_id)
    if membership is None:
        raise Http404(_("No such incident."))
    return incident, require_role(membership, minimum)


def recently_opened_with_title(cell, title: str, *, within: datetime.timedelta) -> Incident | None:
    """The newest incident of the cell with this title (case and spaces aside) opened in the last `within`."""
    since = timezone.now() - within
    return (
        Incident.objects.filter(cell=cell, title__iexact=title.strip(), created_at__gte=since)
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )


def log_entries(incident: Incident) -> QuerySet[LogEntry]:
    """Newest first, with what a log line shows (author, corrected entry)."""
    return LogEntry.objects.filter(incident=incident).select_related("actor", "corrects").order_by("-seq")


def level_history(incident: Incident) -> QuerySet[LogEntry]:
    return log_entries(incident).filter(kind=LogKind.LEVEL_CHANGED)


def pinned_entry_ids(incident: Incident) -> set[int]:
    """The entries pinned as key decisions now: the last pin entry about each one decides."""
    state = {}
    for data in (
        LogEntry.objects.filter(incident=incident, kind=LogKind.PIN).order_by("seq").values_list("data", flat=True)
    ):
        if isinstance(data, dict) and isinstance(data.get("entry"), int):
            state[data["entry"]] = bool(data.get("pinned"))
    return {entry_id for entry_id, pinned in state.items() if pinned}


def key_decisions(incident: Incident, pinned: set[int] | None = None) -> list[LogEntry]:
    """The entries pinned as key decisions, oldest first."""
    pinned = pinned_entry_ids(incident) if pinned is None else pinned
    return list(log_entries(incident).filter(pk__in=pinned).order_by("seq")) if pinned else []


# Entries the system writes by itself (e-mails sent, reminders, deadlines moved): the log view can hide them.
AUTOMATIC_KINDS = (LogKind.NOTIFICATION, LogKind.REMINDER)


def without_automatic(entries: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
    return entries.exclude(kind__in=AUTOMATIC_KINDS).exclude(actor__isnull=True)
