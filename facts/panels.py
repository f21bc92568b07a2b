"""What the facts and claims panels of the incident workspace show, and which buttons each person gets.

The buttons are hints: the services decide for real (a button shown to the
wrong person only leads to a 403 or a 409, never to a write).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.models import Membership, Role
from incidents.models import Incident
from reminders import cadence

from . import claims as claim_rules
from . import selectors, services
from .models import ClaimStatus, Fact, FactStatus

CLAIM_MOVE_LABELS = {
    ClaimStatus.UNDER_CHECK: _("Start checking"),
    ClaimStatus.CONFIRMED: _("Confirm"),
    ClaimStatus.DEBUNKED: _("Debunk"),
    ClaimStatus.FADED: _("It faded"),
    ClaimStatus.CIRCULATING: _("It resurfaced"),
}


def fact_actions(fact: Fact, membership: Membership, user, verifier_must_differ: bool) -> list[str]:
    """The moves this person may make on the fact now: verify, refute, retract."""
    if not membership.has_role(Role.MEMBER):
        return []
    actions = services.STATUSES.actions_from(fact.status)
    if "verify" in actions and verifier_must_differ and fact.created_by_id == user.pk:
        actions.remove("verify")
    return actions


def facts_panel(incident: Incident, membership: Membership, user) -> dict:
    facts = list(selectors.facts_for_incident(incident))
    must_differ = services.fact_policy(incident.cell).verifier_must_differ
    for fact in facts:
        fact.actions = fact_actions(fact, membership, user, must_differ)
        # The recorder of a fact, under four-eyes: the panel says why there is no Verify button.
        fact.awaits_other = (
            fact.status == FactStatus.UNVERIFIED
            and must_differ
            and fact.created_by_id == user.pk
            and membership.has_role(Role.MEMBER)
        )
    return {
        "facts": facts,
        "facts_unverified": sum(fact.status == FactStatus.UNVERIFIED for fact in facts),
        "verifier_must_differ": must_differ,
    }


def claim_moves(claim, membership: Membership) -> list[dict]:
    """The status moves this person may make, each marked one-click or needing the claim's page.

    Confirming and debunking need verified evidence: without it, the button
    leads to the claim's page, where a fact is linked first.
    """
    moves = []
    for target in claim_rules.STATUSES.targets_allowed(claim.status, membership.has_role):
        target = ClaimStatus(target)
        relation = claim_rules.EVIDENCE.get(target)
        ready = relation is None or any(
            link.relation == relation and link.fact.status == FactStatus.VERIFIED for link in claim.fact_links.all()
        )
        moves.append({"to": target, "label": CLAIM_MOVE_LABELS[target], "ready": ready})
    return moves


def decorate_claim(claim, membership: Membership, limit, now) -> None:
    """Age, "unanswered for too long" and moves, on a claim from selectors.claims_for_incident."""
    claim.age = selectors.claim_age(claim, now)
    claim.overdue = selectors.claim_overdue(claim, limit, now)
    claim.moves = claim_moves(claim, membership)


def claims_panel(incident: Incident, membership: Membership, user) -> dict:
    claims = list(selectors.claims_for_incident(incident))
    limit = cadence.claim_unanswered_after(incident.cell)
    now = timezone.now()
    for claim in claims:
        decorate_claim(claim, membership, limit, now)
    return {
        "claims": claims,
        "claims_open": sum(claim.is_open for claim in claims),
        "claim_unanswered_after": limit,
    }
