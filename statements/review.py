"""The review deadline of published holding statements.

`review_due_at` = publication time + the cell's interval for the incident's
level. It is set by each publication, moved by a manager, recomputed when the
level changes, and cleared when nothing stands any more (withdrawal, incident
closed). Its reminder is armed to the same time.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict
from incidents import crisislog
from incidents.models import Incident, LogCategory
from reminders import cadence
from reminders import services as reminders
from reminders.models import ReminderKind

from .models import Statement, StatementKind, StatementLogKind, StatementVersion, VersionStatus


def _set_due(statement: Statement, due_at: datetime.datetime | None) -> None:
    Statement.objects.filter(pk=statement.pk).update(review_due_at=due_at)
    statement.review_due_at = due_at
    if due_at is None:
        reminders.disarm(kind=ReminderKind.STATEMENT_REVIEW, target=statement)
    else:
        reminders.arm(kind=ReminderKind.STATEMENT_REVIEW, target=statement, incident=statement.incident, due_at=due_at)


def due_after_publication(statement: Statement, published_at: datetime.datetime, level: str):
    if statement.kind != StatementKind.HOLDING:
        return None
    interval = cadence.review_interval(cadence.cadence_for(statement.incident.cell), level)
    return published_at + interval if interval else None


def statement_published(*, statement: Statement, published_at: datetime.datetime) -> datetime.datetime | None:
    """A new version went out: the review clock starts again. Inside the caller's transaction."""
    # The level as committed now, not as the caller loaded it.
    level = Incident.objects.values_list("level", flat=True).get(pk=statement.incident_id)
    due = due_after_publication(statement, published_at, level)
    _set_due(statement, due)
    return due


def statement_withdrawn(*, statement: Statement) -> None:
    _set_due(statement, None)


@transaction.atomic
def set_review_due(*, actor, statement: Statement, due_at: datetime.datetime, reason: str = "") -> Statement:
    """A manager moves the review deadline (e.g. reviewed, still accurate: next look in two hours)."""
    require_role(membership_for(actor, statement.incident.cell_id), Role.MANAGER)
    statement = Statement.objects.select_for_update().select_related("incident__cell").get(pk=statement.pk)
    if statement.review_due_at is None:
        raise Conflict(
            _("Only a published holding statement has a review deadline; this one has none."),
            current={"review_due_at": None},
        )
    if due_at <= timezone.now():
        raise ValidationError({"review_due_at": _("Set a time in the future.")})
    previous = statement.review_due_at
    _set_due(statement, due_at)
    crisislog.append_entry(
        incident=statement.incident,
        kind=StatementLogKind.STATEMENT,
        actor=actor,
        text=(reason or "").strip(),
        category=LogCategory.COMMUNICATION,
        data={
            "statement": statement.pk,
            "action": "review_due_set",
            "from": previous.isoformat(),
            "to": due_at.isoformat(),
        },
    )
    return statement


def on_level_changed(sender, *, incident: Incident, actor, **kwargs) -> None:
    """incidents.signals.level_changed (connected in StatementsConfig.ready)."""
    level_changed(incident=incident, actor=actor)


def level_changed(*, incident: Incident, actor) -> None:
    """Recompute the deadlines of the incident's published holding statements for its new level.

    From the publication time, not from now: a statement published two hours
    ago is overdue at once when the incident goes to crisis (30 minutes).
    """
    published = StatementVersion.objects.filter(
        statement__incident=incident, statement__kind=StatementKind.HOLDING, status=VersionStatus.PUBLISHED
    ).select_related("statement__incident__cell")
    changes = {}
    for version in published:
        statement = version.statement
        due = due_after_publication(statement, version.published_at, incident.level)
        if due != statement.review_due_at:
            _set_due(statement, due)
            changes[str(statement.pk)] = due.isoformat() if due else None
    if changes:
        crisislog.append_entry(
            incident=incident,
            kind=StatementLogKind.STATEMENT,
            actor=actor,
            category=LogCategory.COMMUNICATION,
            data={"action": "review_due_recomputed", "level": incident.level, "review_due_at": changes},
        )
