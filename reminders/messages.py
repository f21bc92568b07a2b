"""What a reminder says and to whom, per kind. Read-only, except `send`, which writes the notifications.

The kinds are about other apps' objects (a published holding statement, a version waiting for
approval, a claim circulating unanswered): the app that owns them registers, per kind, whether
a reminder is still needed, who is reminded and the notice's wording, in its AppConfig.ready()
(statements.reminding):

    from reminders import messages

    messages.register(
        ReminderKind.STATEMENT_REVIEW,
        still_needed=lambda reminder: ...,               # False: the reminder is done
        recipients=lambda reminder, *, escalated, managers: {...},   # users, before the membership filter
        wording=lambda reminder: ("reminder.statement_review", {...}),   # notifications wording and params
    )
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from cells.models import Role
from core.registry import Registry
from incidents.models import Level
from notifications.services import cell_members, notify

from .models import Reminder, ReminderKind, ReminderNotice


@dataclass(frozen=True)
class Target:
    still_needed: Callable[[Reminder], bool]
    recipients: Callable[..., set]
    wording: Callable[[Reminder], tuple[str, dict]]


TARGETS = Registry("reminder targets")


def register(kind: str, *, still_needed, recipients, wording) -> Target:
    return TARGETS.register(str(kind), Target(still_needed=still_needed, recipients=recipients, wording=wording))


def still_needed(reminder: Reminder) -> bool:
    if reminder.incident.level == Level.CLOSED:
        return False
    target = TARGETS.get(reminder.kind)
    return target is not None and target.still_needed(reminder)


def recipients(reminder: Reminder, *, escalated: bool) -> list:
    cell = reminder.incident.cell
    managers = set(cell_members(cell, Role.at_least(Role.MANAGER)))
    base = TARGETS[reminder.kind].recipients(reminder, escalated=escalated, managers=managers)
    members = set(cell_members(cell))
    return sorted((user for user in base if user in members), key=lambda user: user.pk)


def _wording(reminder: Reminder) -> tuple[str, dict]:
    """notifications.wording's key and parameters for this reminder."""
    return TARGETS[reminder.kind].wording(reminder)


def send(reminder: Reminder, users: list, *, escalated: bool) -> None:
    wording, params = _wording(reminder)
    notify(
        users=users,
        cell=reminder.incident.cell,
        incident=reminder.incident,
        kind=ReminderNotice.ESCALATION if escalated else ReminderNotice.REMINDER,
        wording=wording,
        params={**params, "escalated": escalated},
        link=reverse("incidents:detail", args=[reminder.incident_id]),
        data={"reminder": reminder.pk, "reminder_kind": reminder.kind, "occurrence": reminder.misses},
        # One notice per person and thing, that each sending updates: the bell does not fill up.
        dedupe_key=notice_key(reminder),
        occurrence=f"reminder:{reminder.pk}:{reminder.generation}:{reminder.misses}",
    )


def notice_key(reminder: Reminder) -> str:
    """What the person's notice is about. A version waiting for approval shares the
    notice its submission put in the managers' bell (statements.notices)."""
    if reminder.kind == ReminderKind.VERSION_IN_REVIEW:
        return f"review-request:{reminder.version_id}"
    return f"reminder:{reminder.pk}"
