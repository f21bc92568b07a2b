"""What the facts app plugs into the apps below it (called from FactsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from cells.models import Role
from incidents import log_kinds, references, search, workspace

from .forms import ClaimForm, FactForm
from .models import Claim, ClaimRelation, ClaimStatus, Fact, FactLogKind
from .panels import claims_panel, facts_panel
from .search import find_claims, find_facts


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else value or "?"


def _claim_labels(data: dict) -> dict:
    return {
        "from_label": _label(ClaimStatus, data.get("from")),
        "to_label": _label(ClaimStatus, data.get("to")),
        "relation_label": _label(ClaimRelation, data.get("relation")),
    }


def _facts_context(request, incident, membership, page: dict) -> dict:
    context = facts_panel(incident, membership, request.user)
    if membership.has_role(Role.MEMBER):
        # The forms people type into live outside the refreshable panels (a live refresh must not wipe them).
        context["fact_form"] = page.get("fact_form") or FactForm()
    return context


def _claims_context(request, incident, membership, page: dict) -> dict:
    context = claims_panel(incident, membership, request.user)
    if membership.has_role(Role.MEMBER):
        context["claim_form"] = page.get("claim_form") or ClaimForm()
    return context


def register() -> None:
    log_kinds.register(
        FactLogKind.FACT,
        label=FactLogKind.FACT.label,
        # Claims show the status of the facts that settle them.
        panels=["facts", "claims", "glance", "log"],
        sentences={
            "created": _("Fact #%(fact)s recorded."),
            "edited": _("Fact #%(fact)s corrected (version %(version)s)."),
            "source_added": _("Source added to fact #%(fact)s."),
            "verify": _("Fact #%(fact)s verified."),
            "refute": _("Fact #%(fact)s refuted."),
            "retract": _("Fact #%(fact)s retracted."),
        },
    )
    log_kinds.register(
        FactLogKind.CLAIM,
        label=FactLogKind.CLAIM.label,
        panels=["claims", "glance", "log"],
        sentences={
            "registered": _("Claim #%(claim)s registered as circulating."),
            "edited": _("Claim #%(claim)s edited."),
            "status": _("Claim #%(claim)s: %(from_label)s → %(to_label)s."),
            "fact_linked": _("Fact #%(fact)s linked to claim #%(claim)s (%(relation_label)s)."),
        },
        labels=_claim_labels,
    )
    references.register("fact", model=Fact, url_name="facts:detail", lockable=True)
    references.register("claim", model=Claim, url_name="facts:claim-detail")
    workspace.register_panel(
        "claims",
        slot="comms",
        order=10,
        template="facts/_claims_section.html",
        context=_claims_context,
        title=_("Claims"),
        nav=70,
    )
    workspace.register_panel(
        "facts",
        slot="comms",
        order=20,
        template="facts/_facts_section.html",
        context=_facts_context,
        title=_("Facts"),
        nav=80,
    )
    search.register("fact", label=_("Facts"), find=find_facts, order=30)
    search.register("claim", label=_("Claims"), find=find_claims, order=40)
