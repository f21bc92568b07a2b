"""Rumours tied to mentions: a mention linked to a claim of the register, by hand or from suggestions.

A claim then shows how many mentions carry it and its volume over time; when it is
debunked and a response template answers it, the queue proposes that template for
the claim's mentions (responses.views, and the API's `proposed_templates`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict

from . import integration
from .models import ClaimMention, LinkSource

SUGGESTION_POOL = 2000
SUGGESTION_SCORE = 70


@transaction.atomic
def link(*, actor, claim, mention_id, source: str = LinkSource.HAND) -> ClaimMention:
    require_role(membership_for(actor, claim.incident.cell_id), Role.MEMBER)
    if source not in LinkSource.values:
        raise ValidationError({"source": _("Choose hand or suggestion.")})
    try:
        mention = integration.mentions_for(claim.incident).get(pk=int(mention_id))
    except (TypeError, ValueError, integration.mention_model().DoesNotExist):
        raise ValidationError({"mention": _("No such mention in this cell.")}) from None
    try:
        with transaction.atomic():
            linked = ClaimMention.objects.create(claim=claim, mention=mention, source=source, linked_by=actor)
    except IntegrityError:
        raise Conflict(_("This mention is already linked to the claim."), current={"mention": mention.pk}) from None
    integration.log(incident=claim.incident, actor=actor, action="claim_linked", claim=claim.pk, mention=mention.pk)
    return linked


@transaction.atomic
def unlink(*, actor, link: ClaimMention) -> None:
    claim = link.claim
    require_role(membership_for(actor, claim.incident.cell_id), Role.MEMBER)
    mention_id = link.mention_id
    link.delete()
    integration.log(incident=claim.incident, actor=actor, action="claim_unlinked", claim=claim.pk, mention=mention_id)


def suggestions(claim, limit: int = 20) -> list[tuple[object, int]]:
    """Mentions of the cell that say nearly what the claim says (or what its linked mentions say), not linked yet."""
    from rapidfuzz import fuzz, process, utils

    linked = set(ClaimMention.objects.filter(claim=claim).values_list("mention_id", flat=True))
    pool = list(
        integration.mentions_for(claim.incident)
        .exclude(pk__in=linked)
        .only("pk", "text", "author_handle", "published_at", "author_reach")
        .order_by("-pk")[:SUGGESTION_POOL]
    )
    choices = {mention.pk: mention.text for mention in pool}
    found = process.extract(
        claim.text,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=SUGGESTION_SCORE,
        limit=limit,
    )
    by_pk = {mention.pk: mention for mention in pool}
    return [(by_pk[key], round(score)) for _text, score, key in found]


def volume(claim, *, hours: int = 24, now: datetime.datetime | None = None) -> dict:
    """How many mentions carry the claim, and how many per hour over the last `hours` (by publication)."""
    now = now or timezone.now()
    start = (now - datetime.timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    links = ClaimMention.objects.filter(claim=claim)
    per_hour = dict(
        links.filter(mention__published_at__gte=start)
        .annotate(hour=TruncHour("mention__published_at"))
        .values_list("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    series = []
    for i in range(hours):
        at = start + datetime.timedelta(hours=i)
        series.append({"at": at, "count": sum(n for hour, n in per_hour.items() if hour == at)})
    return {"total": links.count(), "series": series}


def proposed_templates(mention, incident):
    """Usable templates answering a debunked claim that this mention carries (the queue's proposal)."""
    claims = [
        link.claim
        for link in ClaimMention.objects.filter(mention=mention, claim__incident=incident).select_related("claim")
        if integration.claim_is_debunked(link.claim)
    ]
    templates = []
    for claim in claims:
        for version in integration.templates_answering(claim):
            if version not in templates:
                templates.append(version)
    return templates
