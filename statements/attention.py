"""The statements' part of "what needs attention" (incidents.attention): registered in StatementsConfig.ready()."""

from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from facts.models import Fact, FactStatus
from incidents.attention import Concern, count_per_incident, register

from .models import OPEN_STATUSES, Statement, StatementVersion, VersionStatus


def _statement_link(statement: Statement, number: int | None = None) -> str:
    url = reverse("statements:detail", args=[statement.incident_id, statement.pk])
    return f"{url}#v{number}" if number else url


def _needing_review(incident) -> list[tuple[str, str]]:
    statements = Statement.objects.filter(incident=incident, needs_review=True).order_by("needs_review_since", "id")
    return [(statement.title, _statement_link(statement)) for statement in statements]


def _awaiting_approval(incident) -> list[tuple[str, str]]:
    versions = (
        StatementVersion.objects.filter(statement__incident=incident, status=VersionStatus.IN_REVIEW)
        .select_related("statement")
        .order_by("submitted_at", "id")
    )
    return [
        (
            _("%(title)s, version %(n)s") % {"title": v.statement.title, "n": v.number},
            _statement_link(v.statement, v.number),
        )
        for v in versions
    ]


def _unverified_cited_by_drafts(incident) -> list[tuple[str, str]]:
    """Facts not verified that a version being written or reviewed rests on: it could not be approved."""
    facts = (
        Fact.objects.filter(
            incident=incident,
            citations__version__status__in=OPEN_STATUSES,
        )
        .filter(~Q(status=FactStatus.VERIFIED))
        .distinct()
        .order_by("id")
    )
    return [
        (f"#{fact.pk} {Truncator(fact.text).chars(100)}", reverse("facts:detail", args=[incident.pk, fact.pk]))
        for fact in facts
    ]


def register_concerns() -> None:
    register(
        Concern(
            key="needs_review",
            label=_("Need review"),
            weight=100,
            count=lambda: count_per_incident(Statement.objects.filter(needs_review=True)),
            items=_needing_review,
            describe=lambda n: (
                ngettext("%(count)s statement needs review", "%(count)s statements need review", n) % {"count": n}
            ),
        )
    )
    register(
        Concern(
            key="awaiting_approval",
            label=_("Awaiting approval"),
            weight=80,
            count=lambda: count_per_incident(
                StatementVersion.objects.filter(status=VersionStatus.IN_REVIEW), "statement__incident"
            ),
            items=_awaiting_approval,
            describe=lambda n: (
                ngettext("%(count)s statement waits for approval", "%(count)s statements wait for approval", n)
                % {"count": n}
            ),
        )
    )
    register(
        Concern(
            key="unverified_cited",
            label=None,
            weight=40,
            items=_unverified_cited_by_drafts,
            describe=lambda n: (
                ngettext(
                    "%(count)s unverified fact is cited by a draft",
                    "%(count)s unverified facts are cited by drafts",
                    n,
                )
                % {"count": n}
            ),
        )
    )
