"""Reads on incidents, always scoped to the cells the user belongs to."""

import datetime

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import require_role
from cells.models import Membership, Role
from core.prepared import PreparedQuery

from . import log_kinds
from .models import Incident, LogEntry, LogKind


def _visible(*, user_id: int) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(cell__memberships__user=user_id)
        .annotate(viewer_role=F("cell__memberships__role"))
        .select_related("cell", "owner")
    )


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Every incident of every cell the user is a member of (observers included).

    The membership is joined, not read first: one query for the rows, and each
    row carries the user's role in its cell (`viewer_role`, for the moves the
    API offers) without a second read of the memberships.
    """
    if not user.is_authenticated:
        return Incident.objects.none()
    return _visible(user_id=user.pk)


# (ordering, limit) -> the first rows' query, compiled once per process (core/prepared.py).
_FIRST_VISIBLE: dict[tuple, PreparedQuery] = {}


def first_incidents_visible_to(user, *, ordering: tuple[str, ...], limit: int) -> list[Incident]:
    """The first `limit` of incidents_visible_to(user) in `ordering`: the list an integration
    polls, whose SQL compilation cost as much CPU as the rest of the request."""
    if not user.is_authenticated:
        return []
    key = (ordering, limit)
    query = _FIRST_VISIBLE.get(key)
    if query is None:
        query = _FIRST_VISIBLE.setdefault(
            key, PreparedQuery(lambda *, user_id: _visible(user_id=user_id).order_by(*ordering)[:limit])
        )
    return query.run(user_id=user.pk)


def roles_by_cell(user) -> dict[int, str]:
    if not user.is_authenticated:
        return {}
    return dict(Membership.objects.filter(user=user).values_list("cell_id", "role"))


def _incident_with_viewer(*, incident_id: int, user_id: int) -> QuerySet[Incident]:
    # One query: the incident with the user's membership of its cell (a LEFT JOIN on the
    # membership, NULL for an outsider). Every incident page and endpoint starts here,
    # so the second read it replaces was paid on every request.
    return (
        Incident.objects.select_related("cell", "owner")
        .annotate(
            viewer=FilteredRelation("cell__memberships", condition=Q(cell__memberships__user=user_id)),
            viewer_membership_id=F("viewer__id"),
            viewer_role=F("viewer__role"),
            viewer_since=F("viewer__created_at"),
        )
        .filter(pk=incident_id)
    )


# Compiled once per process (core/prepared.py): compiling it cost more CPU than the
# rest of a detail read.
_INCIDENT_WITH_VIEWER = PreparedQuery(_incident_with_viewer)


def _fits(number: int) -> bool:
    """An id PostgreSQL's bigint can hold (a larger one is no incident, not an error)."""
    return -(2**63) <= number < 2**63


def get_incident_for_user(user, incident_id, minimum: Role = Role.OBSERVER) -> tuple[Incident, Membership]:
    """The incident and the user's membership of its cell.

    404 when it does not exist or the user is not in its cell (we do not reveal
    which); 403 when the user is in the cell with a role weaker than `minimum`.
    """
    if not user.is_authenticated:
        raise Http404(_("No such incident."))
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        raise Http404(_("No such incident.")) from None
    found = _INCIDENT_WITH_VIEWER.run(incident_id=incident_id, user_id=user.pk) if _fits(incident_id) else []
    if not found or found[0].viewer_membership_id is None:
        raise Http404(_("No such incident."))
    incident = found[0]
    membership = Membership(
        id=incident.viewer_membership_id,
        cell=incident.cell,
        user=user,
        role=incident.viewer_role,
        created_at=incident.viewer_since,
    )
    membership._state.adding = False  # a stored row, read through the join
    membership._state.db = incident._state.db
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


def without_automatic(entries: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
    """Entries the system writes by itself (e-mails sent, reminders, deadlines moved): the log view can hide
    them. The kinds say which are automatic when they register (incidents.log_kinds)."""
    return entries.exclude(kind__in=log_kinds.automatic_kinds()).exclude(actor__isnull=True)
