"""The refute cascade: a cited fact was refuted or retracted, so every statement
that stands on it (an approved or published version cites it) needs review, now.

Runs inside the fact's transaction (facts.services): the flag, the crisis-log
entries and the notifications commit with the fact's new status, or not at all.
The flag clears with a new approved version or a withdrawal (statements.services).
"""

from django.urls import reverse
from django.utils import timezone

from cells.models import Role
from facts.models import Fact
from notifications.services import cell_members, notify

from .models import STANDING_STATUSES, Statement, StatementNotice, StatementVersion
from .services import log_statement


def on_fact_discredited(sender, *, fact: Fact, actor, **kwargs) -> None:
    """facts.signals.fact_discredited (connected in StatementsConfig.ready)."""
    flag_statements_citing(fact=fact, actor=actor)


def flag_statements_citing(*, fact: Fact, actor) -> list[Statement]:
    """A cited fact was refuted or retracted: every statement with an approved
    or published version citing it needs review, now. Inside the fact's transaction."""
    ids = set(
        StatementVersion.objects.filter(status__in=STANDING_STATUSES, citations__fact=fact).values_list(
            "statement_id", flat=True
        )
    )
    statements = list(
        Statement.objects.select_for_update()
        .select_related("incident__cell", "created_by")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    now = timezone.now()
    for statement in statements:
        versions = list(
            statement.versions.filter(status__in=STANDING_STATUSES, citations__fact=fact).prefetch_related("authors")
        )
        facts = sorted({*statement.needs_review_facts, fact.pk})
        Statement.objects.filter(pk=statement.pk).update(
            needs_review=True, needs_review_since=statement.needs_review_since or now, needs_review_facts=facts
        )
        statement.needs_review, statement.needs_review_facts = True, facts
        log_statement(
            statement,
            actor,
            "needs_review",
            text=fact.reason or fact.text,
            fact=fact.pk,
            fact_status=fact.status,
            versions=[v.number for v in versions],
        )
        _notify_needs_review(statement, versions, fact)
    return statements


def _notify_needs_review(statement: Statement, versions: list[StatementVersion], fact: Fact) -> None:
    cell = statement.incident.cell
    people = {statement.created_by, *(author for version in versions for author in version.authors.all())}
    people |= set(cell_members(cell, Role.at_least(Role.MANAGER)))
    members = set(cell_members(cell))
    notify(
        users=[user for user in people if user in members],
        cell=cell,
        incident=statement.incident,
        kind=StatementNotice.NEEDS_REVIEW,
        wording="needs_review",
        params={
            "id": fact.pk,
            "fact": fact.text[:200],
            "fact_status": fact.status,
            # In brackets inside a sentence: its own final full stop would double the sentence's.
            "reason": f" ({fact.reason.strip().rstrip('.')})" if fact.reason else "",
            "versions": ", ".join(f"v{v.number}" for v in versions),
            "title": statement.title,
        },
        link=reverse("incidents:detail", args=[statement.incident_id]),
        data={"statement": statement.pk, "fact": fact.pk, "versions": [v.number for v in versions]},
        dedupe_key=f"needs-review:{statement.pk}:{fact.pk}",
    )
