"""Reads on facts and claims, scoped to the user's cells (404 outside them), shaped for the pages and the API."""

import datetime

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Membership, Role
from core.prepared import PreparedQuery
from core.textdiff import DiffLine, text_diff
from incidents.models import Incident
from incidents.selectors import get_incident_for_user

from .models import OPEN_CLAIM_STATUSES, Claim, ClaimFact, ClaimStatus, Fact, FactStatus, FactVersion

# The panel lists what still needs work first.
FACT_ORDER = [FactStatus.UNVERIFIED, FactStatus.VERIFIED, FactStatus.RETRACTED, FactStatus.REFUTED]


def _in_incident(model, user, incident_id, object_id, minimum: Role):
    incident, membership = get_incident_for_user(user, incident_id, minimum)
    try:
        obj = model.objects.select_related("incident__cell").get(incident=incident, pk=int(object_id))
    except (model.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such %(what)s in this incident.") % {"what": model._meta.verbose_name}) from None
    return obj, membership


def get_fact_for_user(user, incident_id, fact_id, minimum: Role = Role.OBSERVER) -> tuple[Fact, Membership]:
    return _in_incident(Fact, user, incident_id, fact_id, minimum)


def get_claim_for_user(user, incident_id, claim_id, minimum: Role = Role.OBSERVER) -> tuple[Claim, Membership]:
    return _in_incident(Claim, user, incident_id, claim_id, minimum)


def _facts(incident) -> QuerySet[Fact]:
    rank = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(FACT_ORDER)), output_field=IntegerField())
    return (
        Fact.objects.filter(incident=incident)
        .select_related("created_by", "verified_by", "closed_by")
        .annotate(status_rank=rank)
        .order_by("status_rank", "-updated_at", "-id")
    )


def facts_for_incident(incident: Incident) -> QuerySet[Fact]:
    """Unverified first (work to do), then verified, then retracted and refuted; newest change first."""
    return _facts(incident).prefetch_related("sources")


# limit -> the first facts' query, compiled once per process (core/prepared.py): the
# status rank made compiling it cost more than running it.
_FIRST_FACTS: dict[int, PreparedQuery] = {}


def first_facts_for_incident(incident: Incident, *, limit: int) -> list[Fact]:
    """The first `limit` of facts_for_incident(incident), with their sources."""
    query = _FIRST_FACTS.get(limit)
    if query is None:
        query = _FIRST_FACTS.setdefault(limit, PreparedQuery(lambda *, incident_id: _facts(incident_id)[:limit]))
    facts = query.run(incident_id=incident.pk)
    prefetch_related_objects(facts, "sources")
    return facts


def fact_versions(fact: Fact) -> QuerySet[FactVersion]:
    return fact.versions.select_related("created_by").order_by("-number")


def fact_texts(fact: Fact, from_number: int, to_number: int) -> tuple[str, str]:
    texts = dict(fact.versions.filter(number__in=[from_number, to_number]).values_list("number", "text"))
    missing = sorted({from_number, to_number} - set(texts))
    if missing:
        raise Http404(_("This fact has no version %(n)s.") % {"n": missing[0]})
    return texts[from_number], texts[to_number]


def fact_diff(fact: Fact, from_number: int, to_number: int) -> list[DiffLine]:
    return text_diff(*fact_texts(fact, from_number, to_number))


# Functions returning Prefetch objects for the claims lists, registered by the apps above
# (statements: the statements answering each claim, as `published_answers` and `all_answers`).
CLAIM_PREFETCHES: list = []


def register_claim_prefetch(prefetches) -> None:
    if prefetches not in CLAIM_PREFETCHES:
        CLAIM_PREFETCHES.append(prefetches)


def claims_for_incident(incident: Incident) -> QuerySet[Claim]:
    """Open claims first, the oldest rumour on top (the one most at risk of being forgotten);
    then settled ones, most recently settled first."""
    is_open = Case(When(status__in=OPEN_CLAIM_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Claim.objects.filter(incident=incident)
        .select_related("created_by", "status_changed_by")
        .prefetch_related(
            Prefetch("fact_links", queryset=ClaimFact.objects.select_related("fact")),
            *(prefetch for prefetches in CLAIM_PREFETCHES for prefetch in prefetches()),
        )
        .annotate(open_rank=is_open)
        .order_by("open_rank", "first_seen_at", "id")
    )


def claim_overdue(claim: Claim, limit: datetime.timedelta, now: datetime.datetime | None = None) -> bool:
    """Circulating, with no published answer, for longer than the cell allows: the panel flags it.

    Expects the claim from claims_for_incident (its published answers prefetched).
    """
    unanswered = claim.status == ClaimStatus.CIRCULATING and not getattr(claim, "published_answers", [])
    return unanswered and claim_age(claim, now) > limit


def claim_age(claim: Claim, now: datetime.datetime | None = None) -> datetime.timedelta:
    """How long it has been circulating (until it was settled, for settled claims)."""
    end = (now or timezone.now()) if claim.is_open or claim.status_changed_at is None else claim.status_changed_at
    return max(end - claim.first_seen_at, datetime.timedelta(0))
