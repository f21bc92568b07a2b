"""Arming, handling, snoozing and firing reminders.

Firing is claimed with a conditional UPDATE on the due time the job saw (and
the arming generation and the miss count): two jobs, a second beat or a
redelivered task find it already moved and do nothing. The claim, the
notifications and the crisis-log entry commit together, so a worker killed
mid-way leaves the reminder due, and the next run sends it: never twice, never lost.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict
from incidents import crisislog
from incidents.models import LogCategory

from . import cadence, messages
from .models import TARGET_FIELD, Reminder, ReminderKind, ReminderLogKind, ReminderStatus

logger = logging.getLogger(__name__)

MAX_SNOOZE_MINUTES = 24 * 60
# Snoozing a reminder to managers needs a manager; anything else, a member.
SNOOZE_ROLE = {
    ReminderKind.STATEMENT_REVIEW: Role.MEMBER,
    ReminderKind.VERSION_IN_REVIEW: Role.MANAGER,
    ReminderKind.CLAIM_UNANSWERED: Role.MEMBER,
}


def arm(*, kind: str, target, incident, due_at: datetime.datetime) -> Reminder:
    """(Re-)arm the target's reminder for `due_at`: active, no misses yet. Inside the caller's transaction."""
    field = TARGET_FIELD[ReminderKind(kind)]
    reminder, created = Reminder.objects.select_for_update().get_or_create(
        kind=kind, **{field: target}, defaults={"incident": incident, "next_due_at": due_at}
    )
    if not created:
        Reminder.objects.filter(pk=reminder.pk).update(
            status=ReminderStatus.ACTIVE,
            next_due_at=due_at,
            misses=0,
            generation=F("generation") + 1,
            done_at=None,
            snoozed_by=None,
            snoozed_at=None,
            snooze_reason="",
        )
        reminder.refresh_from_db()
    return reminder


def disarm(*, kind: str, target) -> int:
    """The target was handled: its reminder stops. Inside the caller's transaction."""
    field = TARGET_FIELD[ReminderKind(kind)]
    return Reminder.objects.filter(kind=kind, status=ReminderStatus.ACTIVE, **{field: target}).update(
        status=ReminderStatus.DONE, done_at=timezone.now()
    )


def log_reminder(reminder: Reminder, actor, action: str, text: str = "", **data) -> None:
    crisislog.append_entry(
        incident=reminder.incident,
        kind=ReminderLogKind.REMINDER,
        actor=actor,
        text=text,
        category=LogCategory.COMMUNICATION,
        data={
            "reminder": reminder.pk,
            "reminder_kind": reminder.kind,
            TARGET_FIELD[ReminderKind(reminder.kind)]: reminder.target.pk,
            "action": action,
            **data,
        },
    )


@transaction.atomic
def snooze(*, actor, reminder: Reminder, minutes: int, reason: str) -> Reminder:
    """Put the reminder off, with a reason for the crisis log.

    Snoozing is a person deciding, on the record, that it can wait: the misses
    count starts again, so a snoozed reminder does not escalate on its next sending.
    """
    require_role(membership_for(actor, reminder.incident.cell_id), SNOOZE_ROLE[ReminderKind(reminder.kind)])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it can wait: the reason goes into the crisis log.")})
    if not 1 <= int(minutes) <= MAX_SNOOZE_MINUTES:
        raise ValidationError({"minutes": _("Snooze for 1 to %(max)s minutes.") % {"max": MAX_SNOOZE_MINUTES}})
    now = timezone.now()
    until = now + datetime.timedelta(minutes=int(minutes))
    # A new generation: the sendings after the snooze count from 1 again, under keys of their own.
    snoozed = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.ACTIVE).update(
        next_due_at=until,
        misses=0,
        generation=F("generation") + 1,
        snoozed_by=actor,
        snoozed_at=now,
        snooze_reason=reason,
    )
    if not snoozed:
        raise Conflict(
            _("This reminder was handled meanwhile; there is nothing to snooze."), current={"status": "done"}
        )
    reminder.refresh_from_db()
    log_reminder(reminder, actor, "snoozed", text=reason, until=until.isoformat(), minutes=int(minutes))
    return reminder


def due(now: datetime.datetime | None = None, limit: int = 100) -> list[tuple[int, datetime.datetime]]:
    """(id, due time) of the reminders due now, the most overdue first, at most `limit`."""
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(status=ReminderStatus.ACTIVE, next_due_at__lte=now)
        .order_by("next_due_at", "id")
        .values_list("pk", "next_due_at")[:limit]
    )


@transaction.atomic
def fire(*, reminder_id: int, due_at: datetime.datetime) -> bool:
    """Send one due reminder if it is still due as the caller saw it; True if this call sent it."""
    now = timezone.now()
    reminder = (
        Reminder.objects.select_related("incident__cell", "incident__owner", "statement", "version__statement", "claim")
        .filter(pk=reminder_id, status=ReminderStatus.ACTIVE, next_due_at=due_at, next_due_at__lte=now)
        .first()
    )
    if reminder is None:
        return False
    guard = {"pk": reminder.pk, "status": ReminderStatus.ACTIVE, "next_due_at": due_at}
    guard |= {"generation": reminder.generation, "misses": reminder.misses}
    if not messages.still_needed(reminder):
        # The target was handled without the reminder being told (e.g. an
        # incident closed): stop it rather than nag about nothing.
        Reminder.objects.filter(**guard).update(status=ReminderStatus.DONE, done_at=now)
        return False
    policy = cadence.cadence_for(reminder.incident.cell)
    repeat = datetime.timedelta(minutes=policy.repeat_minutes)
    # The claim. From now on, a sibling run's guard fails (it waits for this
    # transaction on PostgreSQL, then finds the row moved).
    claimed = Reminder.objects.filter(**guard).update(
        next_due_at=now + repeat, misses=F("misses") + 1, last_sent_at=now
    )
    if not claimed:
        return False
    reminder.misses += 1
    escalated = reminder.misses > policy.escalate_after
    recipients = messages.recipients(reminder, escalated=escalated)
    messages.send(reminder, recipients, escalated=escalated)
    log_reminder(
        reminder,
        None,
        "escalated" if escalated else "sent",
        occurrence=reminder.misses,
        recipients=sorted(user.pk for user in recipients),
    )
    return True
