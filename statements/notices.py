"""Who hears of a statement's progress, at the moment it happens.

Submitting a version puts it in the bell (and the mailbox) of the managers who
may approve it; the authors hear when a manager approves, rejects or publishes
it. Inside the service's transaction: the notices exist exactly when the move
was committed. The 20-minute "waiting for approval" reminder then updates the
managers' notice (same dedupe key) instead of adding a second one.
"""

from django.urls import reverse

from cells.models import Role
from notifications.services import cell_members, notify

from .models import StatementNotice, StatementVersion


def _params(version: StatementVersion, actor, at) -> dict:
    statement = version.statement
    return {
        "name": str(actor),
        "number": version.number,
        "title": statement.title,
        "incident": statement.incident.title,
        "at": at.isoformat(),
    }


def _link(version: StatementVersion) -> str:
    statement = version.statement
    return reverse("statements:detail", args=[statement.incident_id, statement.pk]) + f"#v{version.number}"


def review_key(version: StatementVersion) -> str:
    return f"review-request:{version.pk}"


def submitted(*, version: StatementVersion, actor) -> None:
    """The managers who may approve it (not its authors: four-eyes) are asked at once."""
    statement = version.statement
    cell = statement.incident.cell
    authors = set(version.authors.all())
    approvers = [user for user in cell_members(cell, Role.at_least(Role.MANAGER)) if user not in authors]
    notify(
        users=approvers,
        cell=cell,
        incident=statement.incident,
        kind=StatementNotice.APPROVAL,
        wording="statement.submitted",
        params=_params(version, actor, version.submitted_at),
        link=_link(version),
        data={"statement": statement.pk, "version": version.number},
        dedupe_key=review_key(version),
        occurrence="submitted",
    )


# action -> wording; the extra parameters each one shows.
DECISIONS = {
    "approve": ("statement.approved", lambda version: {}),
    "reject": ("statement.rejected", lambda version: {"comment": version.comment}),
    "publish": ("statement.published", lambda version: {"channel": version.channel}),
}


def decided(*, version: StatementVersion, actor, action: str, at) -> None:
    """Its authors (and whoever submitted it) hear that it was approved, rejected or published."""
    statement = version.statement
    cell = statement.incident.cell
    wording, extra = DECISIONS[action]
    people = {*version.authors.all(), version.submitted_by} - {actor, None}
    members = set(cell_members(cell))
    notify(
        users=[user for user in people if user in members],
        cell=cell,
        incident=statement.incident,
        kind=StatementNotice.STATEMENT,
        wording=wording,
        params={**_params(version, actor, at), **extra(version)},
        link=_link(version),
        data={"statement": statement.pk, "version": version.number},
        dedupe_key=f"statement-version:{version.pk}:{action}",
    )
