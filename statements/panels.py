"""What the statements panel and the "needs review" banner of the incident workspace show."""

from cells.models import Membership
from facts.models import Claim, Fact
from incidents.models import Incident

from . import selectors


def statements_panel(incident: Incident, membership: Membership) -> dict:
    statements = list(selectors.statements_for_incident(incident))
    for statement in statements:
        versions = list(statement.versions.all())
        statement.current = selectors.latest(versions)
        statement.live = selectors.published(versions)
    return {"statements": statements, "statements_flagged": sum(s.needs_review for s in statements)}


def needs_review_panel(incident: Incident, statements: list | None = None) -> dict:
    """`statements`: the statements panel's, on the workspace (one read of the statements for both)."""
    return {"needing_review": selectors.needing_review(incident, statements)}


def flagged_facts(statement) -> list:
    """The refuted or retracted facts that flagged the statement, in the order they did."""
    facts = Fact.objects.in_bulk(statement.needs_review_facts)
    return [facts[pk] for pk in statement.needs_review_facts if pk in facts]


def incident_claims(incident: Incident) -> list:
    """The claims a statement may answer, oldest first (the form lists them)."""
    return list(Claim.objects.filter(incident=incident).order_by("first_seen_at", "id"))
