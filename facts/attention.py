"""The claims' part of "what needs attention" (incidents.attention): registered in FactsConfig.ready()."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incidents.attention import Concern, count_per_incident, register

from .models import OPEN_CLAIM_STATUSES, Claim


def _open_claims(incident) -> list[tuple[str, str]]:
    claims = Claim.objects.filter(incident=incident, status__in=OPEN_CLAIM_STATUSES).order_by("first_seen_at", "id")
    return [
        (f"#{claim.pk} {Truncator(claim.text).chars(100)}", reverse("facts:claim-detail", args=[incident.pk, claim.pk]))
        for claim in claims
    ]


def register_concerns() -> None:
    register(
        Concern(
            key="open_claims",
            label=_("Open claims"),
            weight=50,
            count=lambda: count_per_incident(Claim.objects.filter(status__in=OPEN_CLAIM_STATUSES)),
            items=_open_claims,
            describe=lambda n: (
                ngettext(
                    "%(count)s claim is still circulating or under check",
                    "%(count)s claims are still circulating or under check",
                    n,
                )
                % {"count": n}
            ),
        )
    )
