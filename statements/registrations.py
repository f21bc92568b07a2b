"""What the statements app plugs into the apps below it (called from StatementsConfig.ready)."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from facts import selectors as facts_selectors
from facts.models import FactStatus
from incidents import log_kinds, references, search, workspace
from notifications import registry

from . import reminding
from .glance import glance
from .models import Statement, StatementLogKind, StatementNotice, VersionStatus
from .panels import needs_review_panel, statements_panel
from .search import find_statements


def _fact_status(params: dict) -> dict:
    # The needs-review notice names the fact's new status: its label, in the reader's language.
    status = params.get("fact_status")
    if status is None:
        return {}
    return {"status": str(FactStatus(status).label) if status in FactStatus.values else status}


def _statement_urls(notifications) -> dict[int, str]:
    return {
        n.pk: reverse("statements:detail", args=[n.incident_id, n.data["statement"]])
        for n in notifications
        if n.incident_id and isinstance(n.data.get("statement"), int)
    }


def _statements_context(request, incident, membership, page: dict) -> dict:
    # The statements panel and the "needs review" banner: one read of the statements for both.
    statements = statements_panel(incident, membership)
    return {**needs_review_panel(incident, statements["statements"]), **statements}


def _glance_context(request, incident, membership, page: dict) -> dict:
    # The crisis log's panel has read the pinned entries already.
    return glance(incident, page.get("pinned"))


def _claim_answers() -> list[Prefetch]:
    """The statements answering each claim of the claims panel and API (facts.selectors)."""
    answering = Statement.objects.filter(versions__status=VersionStatus.PUBLISHED).only("id", "title")
    return [
        Prefetch("answered_by", queryset=answering, to_attr="published_answers"),
        Prefetch("answered_by", queryset=Statement.objects.only("id", "title"), to_attr="all_answers"),
    ]


def register() -> None:
    log_kinds.register(
        StatementLogKind.STATEMENT,
        label=StatementLogKind.STATEMENT.label,
        panels=["statements", "needs-review", "claims", "glance", "log"],
        sentences={
            "created": _("Statement #%(statement)s drafted."),
            "edited": _("Statement #%(statement)s edited."),
            "new_version": _("Statement #%(statement)s: version %(version)s started."),
            "submit": _("Statement #%(statement)s v%(version)s submitted for approval."),
            "approve": _("Statement #%(statement)s v%(version)s approved."),
            "reject": _("Statement #%(statement)s v%(version)s rejected."),
            "publish": _("Statement #%(statement)s v%(version)s published (%(channel)s)."),
            "withdraw": _("Statement #%(statement)s v%(version)s withdrawn."),
            "needs_review": _("Statement #%(statement)s needs review: a fact it cites was refuted or retracted."),
            "review_due_set": _("Review deadline of statement #%(statement)s moved."),
            "review_due_recomputed": _("Review deadlines of the holding statements follow the new level."),
        },
    )
    references.register("statement", model=Statement, url_name="statements:detail", lockable=True)
    workspace.register_panel(
        "statements",
        slot="comms",
        order=30,
        template="statements/_statements_section.html",
        context=_statements_context,
        title=_("Statements"),
        nav=90,
    )
    workspace.register_panel("needs-review", slot="flow", order=10, template="statements/_needs_review_panel.html")
    workspace.register_panel(
        "glance",
        slot="flow",
        order=20,
        template="incidents/_glance.html",
        context=_glance_context,
        title=_("Summary"),
        nav=10,
    )
    for kind in StatementNotice:
        registry.register_kind(kind.value, kind.label)
    registry.register_wording(
        "needs_review",
        title=_("Needs review: %(title)s"),
        body=_(
            "Fact #%(id)s “%(fact)s” is now %(status)s%(reason)s. Version(s) %(versions)s of “%(title)s” cite "
            "it: approve a new version without it, or withdraw the statement."
        ),
    )
    registry.register_wording(
        "statement.submitted",
        title=_("To approve: %(title)s v%(number)s"),
        body=_(
            "%(name)s submitted version %(number)s of “%(title)s” (incident “%(incident)s”) for approval at "
            "%(at)s. Approve it or reject it with a comment; its authors cannot approve it themselves."
        ),
    )
    registry.register_wording(
        "statement.approved",
        title=_("Approved: %(title)s v%(number)s"),
        body=_(
            "%(name)s approved version %(number)s of “%(title)s” (incident “%(incident)s”) at %(at)s. Its text "
            "is frozen; a manager can now publish it."
        ),
    )
    registry.register_wording(
        "statement.rejected",
        title=_("Rejected: %(title)s v%(number)s"),
        body=_(
            "%(name)s rejected version %(number)s of “%(title)s” (incident “%(incident)s”) at %(at)s: "
            "“%(comment)s”. Edit it and submit it again."
        ),
    )
    registry.register_wording(
        "statement.published",
        title=_("Published: %(title)s v%(number)s"),
        body=_(
            "%(name)s published version %(number)s of “%(title)s” (incident “%(incident)s”) at %(at)s, on %(channel)s."
        ),
    )
    registry.register_params(_fact_status)
    registry.register_link("statement", _statement_urls)
    facts_selectors.register_claim_prefetch(_claim_answers)
    search.register("statement", label=_("Statements"), find=find_statements, order=50)
    reminding.register()
