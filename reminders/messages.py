"""What a reminder says and to whom, per kind. Read-only, except `send`, which writes the notifications."""

from django.urls import reverse

from cells.models import Role
from facts.models import ClaimStatus
from incidents.models import Level
from notifications.services import cell_members, notify
from statements.models import VersionStatus

from .models import Reminder, ReminderKind, ReminderNotice


def still_needed(reminder: Reminder) -> bool:
    if reminder.incident.level == Level.CLOSED:
        return False
    if reminder.kind == ReminderKind.STATEMENT_REVIEW:
        statement = reminder.statement
        return (
            statement.review_due_at is not None and statement.versions.filter(status=VersionStatus.PUBLISHED).exists()
        )
    if reminder.kind == ReminderKind.VERSION_IN_REVIEW:
        return reminder.version.status == VersionStatus.IN_REVIEW
    claim = reminder.claim
    answered = claim.answered_by.filter(versions__status=VersionStatus.PUBLISHED).exists()
    return claim.status == ClaimStatus.CIRCULATING and not answered


def recipients(reminder: Reminder, *, escalated: bool) -> list:
    cell = reminder.incident.cell
    managers = set(cell_members(cell, Role.at_least(Role.MANAGER)))
    if reminder.kind == ReminderKind.VERSION_IN_REVIEW:
        # Those who may approve it: managers who did not write it. The incident
        # owner first, if they are one; all of them once it escalates.
        approvers = managers - set(reminder.version.authors.all())
        owner = reminder.incident.owner
        base = {owner} if owner in approvers and not escalated else approvers
    else:
        if reminder.kind == ReminderKind.STATEMENT_REVIEW:
            published = reminder.statement.versions.filter(status=VersionStatus.PUBLISHED).first()
            base = {reminder.statement.created_by, published.published_by if published else None}
        else:
            base = {reminder.claim.created_by, reminder.incident.owner}
        if escalated:
            base |= managers
    members = set(cell_members(cell))
    return sorted((user for user in base if user in members), key=lambda user: user.pk)


def _wording(reminder: Reminder) -> tuple[str, dict]:
    """notifications.wording's key and parameters for this reminder."""
    incident = reminder.incident
    if reminder.kind == ReminderKind.STATEMENT_REVIEW:
        statement = reminder.statement
        return "reminder.statement_review", {
            "title": statement.title,
            "incident": incident.title,
            "due": statement.review_due_at.isoformat(),
        }
    if reminder.kind == ReminderKind.VERSION_IN_REVIEW:
        version = reminder.version
        return "reminder.version_in_review", {
            "number": version.number,
            "title": version.statement.title,
            "incident": incident.title,
            "since": version.submitted_at.isoformat(),
        }
    claim = reminder.claim
    return "reminder.claim_unanswered", {
        "since": claim.first_seen_at.isoformat(),
        "incident": incident.title,
        "text": claim.text,
    }


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
