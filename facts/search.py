"""Facts and claims in the incident search (incidents.search, registered in FactsConfig.ready)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.search import RESULTS_PER_KIND, Hit, cut

from .models import Claim, Fact


def find_facts(incident, q, author) -> list[Hit]:
    facts = Fact.objects.filter(incident=incident).select_related("created_by").order_by("-updated_at", "-id")
    if q:
        facts = facts.filter(text__icontains=q)
    if author:
        facts = facts.filter(created_by=author)
    return [
        Hit(
            "fact",
            str(_("Fact")),
            cut(f.text),
            reverse("facts:detail", args=[incident.pk, f.pk]),
            f.created_by,
            f.updated_at,
            f"#{f.pk} · {f.get_status_display()}",
        )
        for f in facts[:RESULTS_PER_KIND]
    ]


def find_claims(incident, q, author) -> list[Hit]:
    claims = Claim.objects.filter(incident=incident).select_related("created_by").order_by("-updated_at", "-id")
    if q:
        claims = claims.filter(Q(text__icontains=q) | Q(where__icontains=q))
    if author:
        claims = claims.filter(created_by=author)
    return [
        Hit(
            "claim",
            str(_("Claim")),
            cut(c.text),
            reverse("facts:claim-detail", args=[incident.pk, c.pk]),
            c.created_by,
            c.updated_at,
            f"#{c.pk} · {c.get_status_display()}",
        )
        for c in claims[:RESULTS_PER_KIND]
    ]
