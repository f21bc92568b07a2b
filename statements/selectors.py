"""Reads on statements, scoped to the user's cells (404 outside them), shaped for the pages and the API."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cells.models import Membership, Role
from core.textdiff import DiffLine, text_diff
from facts.models import Fact
from incidents.models import Incident
from incidents.selectors import get_incident_for_user

from . import services
from .models import CitedFact, Statement, StatementVersion, VersionStatus


def get_statement_for_user(
    user, incident_id, statement_id, minimum: Role = Role.OBSERVER
) -> tuple[Statement, Membership]:
    incident, membership = get_incident_for_user(user, incident_id, minimum)
    try:
        statement = Statement.objects.select_related("incident__cell").get(incident=incident, pk=int(statement_id))
    except (Statement.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such statement in this incident.")) from None
    return statement, membership


def get_version(statement: Statement, number) -> StatementVersion:
    try:
        return versions_of(statement).get(number=int(number))
    except (StatementVersion.DoesNotExist, TypeError, ValueError):
        raise Http404(_("This statement has no version %(n)s.") % {"n": number}) from None


def statements_for_incident(incident: Incident) -> QuerySet[Statement]:
    """Those that need review first, then the most recently changed. Versions come
    without their text: the list shows where each statement stands, not what it says."""
    return (
        Statement.objects.filter(incident=incident)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("versions", queryset=StatementVersion.objects.defer("text").order_by("-number")),
            "answers",
        )
        .order_by("-needs_review", "-updated_at", "-id")
    )


def versions_of(statement: Statement) -> QuerySet[StatementVersion]:
    return (
        StatementVersion.objects.filter(statement=statement)
        .select_related("statement", "created_by", "submitted_by", "decided_by", "published_by", "ended_by")
        .prefetch_related(Prefetch("citations", queryset=CitedFact.objects.select_related("fact")), "authors")
        .order_by("-number")
    )


def latest(versions) -> StatementVersion | None:
    """The highest-numbered of already fetched versions (no query)."""
    return max(versions, key=lambda v: v.number, default=None)


def published(versions) -> StatementVersion | None:
    return next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)


def allowed_actions(version: StatementVersion, membership: Membership | None, user) -> list[str]:
    """The workflow buttons this user may press on this version now (the services decide for real)."""
    if membership is None:
        return []
    actions = services.VERSIONS.actions_from(version.status, membership.has_role)
    if "approve" in actions and any(author.pk == user.pk for author in version.authors.all()):
        actions.remove("approve")
    if membership.has_role(Role.MEMBER) and version.status != VersionStatus.IN_REVIEW:
        actions.append("edit")
    return actions


def version_texts(statement: Statement, from_number: int, to_number: int) -> tuple[str, str]:
    texts = dict(statement.versions.filter(number__in=[from_number, to_number]).values_list("number", "text"))
    missing = sorted({from_number, to_number} - set(texts))
    if missing:
        raise Http404(_("This statement has no version %(n)s.") % {"n": missing[0]})
    return texts[from_number], texts[to_number]


def version_diff(statement: Statement, from_number: int, to_number: int) -> list[DiffLine]:
    return text_diff(*version_texts(statement, from_number, to_number))


def needing_review(incident: Incident, statements: list[Statement] | None = None) -> list[tuple[Statement, list]]:
    """The "needs review" banner: each flagged statement with the facts that were refuted or retracted under it.

    `statements`: every statement of the incident, when the caller has them already (the workspace).
    """
    if statements is None:
        flagged = list(
            Statement.objects.filter(incident=incident, needs_review=True).order_by("needs_review_since", "id")
        )
    else:
        # The query's order: oldest flag first, none last (as PostgreSQL sorts NULLs ascending), then id.
        def order(statement):
            since = statement.needs_review_since
            return (since is None, since.timestamp() if since else 0, statement.pk)

        flagged = sorted((s for s in statements if s.needs_review), key=order)
    ids = {pk for statement in flagged for pk in statement.needs_review_facts}
    facts = Fact.objects.in_bulk(ids)
    return [(statement, [facts[pk] for pk in statement.needs_review_facts if pk in facts]) for statement in flagged]
