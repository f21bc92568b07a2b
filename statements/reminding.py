"""The reminders about statements and claims (reminders.messages, registered in StatementsConfig.ready):
whether one is still needed, who is reminded, what the notice says."""

from facts.models import ClaimStatus
from reminders import messages
from reminders.models import Reminder, ReminderKind

from .models import VersionStatus


def _review_needed(reminder: Reminder) -> bool:
    statement = reminder.statement
    return statement.review_due_at is not None and statement.versions.filter(status=VersionStatus.PUBLISHED).exists()


def _review_recipients(reminder: Reminder, *, escalated: bool, managers: set) -> set:
    published = reminder.statement.versions.filter(status=VersionStatus.PUBLISHED).first()
    base = {reminder.statement.created_by, published.published_by if published else None}
    return base | managers if escalated else base


def _review_wording(reminder: Reminder) -> tuple[str, dict]:
    statement = reminder.statement
    return "reminder.statement_review", {
        "title": statement.title,
        "incident": reminder.incident.title,
        "due": statement.review_due_at.isoformat(),
    }


def _approval_needed(reminder: Reminder) -> bool:
    return reminder.version.status == VersionStatus.IN_REVIEW


def _approval_recipients(reminder: Reminder, *, escalated: bool, managers: set) -> set:
    # Those who may approve it: managers who did not write it. The incident
    # owner first, if they are one; all of them once it escalates.
    approvers = managers - set(reminder.version.authors.all())
    owner = reminder.incident.owner
    return {owner} if owner in approvers and not escalated else approvers


def _approval_wording(reminder: Reminder) -> tuple[str, dict]:
    version = reminder.version
    return "reminder.version_in_review", {
        "number": version.number,
        "title": version.statement.title,
        "incident": reminder.incident.title,
        "since": version.submitted_at.isoformat(),
    }


def _claim_needed(reminder: Reminder) -> bool:
    claim = reminder.claim
    answered = claim.answered_by.filter(versions__status=VersionStatus.PUBLISHED).exists()
    return claim.status == ClaimStatus.CIRCULATING and not answered


def _claim_recipients(reminder: Reminder, *, escalated: bool, managers: set) -> set:
    base = {reminder.claim.created_by, reminder.incident.owner}
    return base | managers if escalated else base


def _claim_wording(reminder: Reminder) -> tuple[str, dict]:
    claim = reminder.claim
    return "reminder.claim_unanswered", {
        "since": claim.first_seen_at.isoformat(),
        "incident": reminder.incident.title,
        "text": claim.text,
    }


def register() -> None:
    messages.register(
        ReminderKind.STATEMENT_REVIEW,
        still_needed=_review_needed,
        recipients=_review_recipients,
        wording=_review_wording,
    )
    messages.register(
        ReminderKind.VERSION_IN_REVIEW,
        still_needed=_approval_needed,
        recipients=_approval_recipients,
        wording=_approval_wording,
    )
    messages.register(
        ReminderKind.CLAIM_UNANSWERED,
        still_needed=_claim_needed,
        recipients=_claim_recipients,
        wording=_claim_wording,
    )
