"""Pages of facts: the workspace's facts panel (and its fragment), a fact's page, and the moves on a fact.

Each view authorises (404 outside the cell, 403 for a weak role), validates
with a form, calls one service, then redirects; refused input comes back with
its errors (400, or 422 to HTMX), a conflict with the fresh state (409).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cells.models import Role
from core import flash
from core.errors import Conflict
from core.http import is_htmx
from core.textdiff import text_diff
from incidents import workspace
from incidents.panel_views import panel_fragment
from incidents.selectors import get_incident_for_user
from incidents.views import workspace_url

from . import selectors, services
from .forms import DiffForm, FactEditForm, FactForm, FactMoveForm, SourceForm
from .models import ClaimFact, FactStatus
from .panels import fact_actions, facts_panel

MOVE_DONE = {
    "verify": gettext_lazy("Fact #%(id)s verified: statements may now rest on it."),
    "refute": gettext_lazy("Fact #%(id)s refuted."),
    "retract": gettext_lazy("Fact #%(id)s retracted. Statements that cited it are flagged for review."),
}


def fact_url(fact) -> str:
    return reverse("facts:detail", args=[fact.incident_id, fact.pk])


# --- The panel -----------------------------------------------------------------------------------


# The facts panel alone (its refreshable wrapper), for live updates.
facts_panel_fragment = panel_fragment(
    "facts/_facts_panel.html", lambda request, incident, membership: facts_panel(incident, membership, request.user)
)


@login_required
@require_POST
def fact_add(request, pk):
    incident, membership = get_incident_for_user(request.user, pk, Role.MEMBER)
    form = FactForm(request.POST)
    if form.is_valid():
        try:
            fact = services.fact_create(
                actor=request.user, incident=incident, text=form.cleaned_data["text"], sources=form.sources()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            notice = _("Fact #%(id)s recorded; it stays unverified until someone checks it.") % {"id": fact.pk}
            if is_htmx(request):
                return _add_fragment(request, incident, membership, FactForm(), notice=notice)
            messages.success(request, notice)
            return redirect(workspace_url(incident.pk, "facts"))
    if is_htmx(request):
        return _add_fragment(request, incident, membership, form, status=422)
    return workspace.render(request, incident, membership, status=400, fact_form=form)


def _add_fragment(request, incident, membership, form, *, notice: str = "", status: int = 200):
    """The add form again (cleared, or with its errors); after a success, the panel too, swapped out of band."""
    context = {"incident": incident, "membership": membership, "fact_form": form, "notice": notice}
    if notice:
        context.update(facts_panel(incident, membership, request.user), oob=True)
    return render(request, "facts/_fact_add_response.html", context, status=status)


# --- A fact's page -------------------------------------------------------------------------------


def _fact_page(request, fact, membership, *, status: int = 200, **forms):
    incident = fact.incident
    fact = selectors.facts_for_incident(incident).get(pk=fact.pk)
    fact.incident = incident
    versions = list(selectors.fact_versions(fact))
    numbers = [version.number for version in versions]
    must_differ = services.fact_policy(incident.cell).verifier_must_differ
    contributor = membership.has_role(Role.MEMBER)
    diff_form = DiffForm(request.GET if "from" in request.GET else None, numbers=numbers)
    diff, compared = None, None
    if diff_form.is_bound:
        if diff_form.is_valid():
            compared = (diff_form.cleaned_data["from"], diff_form.cleaned_data["to"])
        else:
            status = max(status, 400)
    elif len(numbers) > 1:
        # By default, the last change.
        compared = (numbers[1], numbers[0])
        diff_form = DiffForm(initial={"from": numbers[1], "to": numbers[0]}, numbers=numbers)
    if compared:
        texts = {version.number: version.text for version in versions}
        diff = text_diff(texts[compared[0]], texts[compared[1]])
    context = {
        "incident": incident,
        "membership": membership,
        "fact": fact,
        "actions": fact_actions(fact, membership, request.user, must_differ),
        "awaits_other": contributor
        and fact.status == FactStatus.UNVERIFIED
        and must_differ
        and fact.created_by_id == request.user.pk,
        "versions": versions,
        "diff_form": diff_form,
        "diff": diff,
        "compared": compared,
        "claim_links": ClaimFact.objects.filter(fact=fact).select_related("claim").order_by("claim__first_seen_at"),
        # The statements citing it (statements build on facts: read through the relation they declare).
        "citations": fact.citations.select_related("version__statement").order_by(
            "version__statement__title", "-version__number"
        ),
        "can_contribute": contributor,
        "refute_form": forms.get("refute_form") or FactMoveForm(initial={"return_to": "page"}),
        "retract_form": forms.get("retract_form") or FactMoveForm(initial={"return_to": "page"}),
        "edit_form": forms.get("edit_form") or FactEditForm(initial={"text": fact.text, "revision": fact.revision}),
        "source_form": forms.get("source_form") or SourceForm(),
    }
    return render(request, "facts/fact_detail.html", context, status=status)


@login_required
@require_GET
def fact_detail(request, pk, fact_pk):
    fact, membership = selectors.get_fact_for_user(request.user, pk, fact_pk)
    return _fact_page(request, fact, membership)


@login_required
@require_POST
def fact_move(request, pk, fact_pk, action):
    """Verify, refute or retract. Verify is one click in the panel; the others take a reason, on the fact's page."""
    fact, membership = selectors.get_fact_for_user(request.user, pk, fact_pk, Role.MEMBER)
    form = FactMoveForm(request.POST)
    on_page = form.back_to_page()
    if form.is_valid():
        try:
            if action == "verify":
                services.fact_verify(actor=request.user, fact=fact)
            elif action == "refute":
                services.fact_refute(actor=request.user, fact=fact, reason=form.cleaned_data["reason"])
            else:
                services.fact_retract(actor=request.user, fact=fact, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            if on_page:
                return _fact_page(request, fact, membership, status=409)
            return workspace.render(request, fact.incident, membership, status=409)
        else:
            flash.success(request, MOVE_DONE[action] % {"id": fact.pk}, until=f"fact.|fact={fact.pk}")
            return redirect(fact_url(fact) if on_page else workspace_url(fact.incident_id, "facts"))
    if on_page:
        return _fact_page(request, fact, membership, status=400, **{f"{action}_form": form})
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return workspace.render(request, fact.incident, membership, status=400)


@login_required
@require_POST
def fact_edit(request, pk, fact_pk):
    """A new text version of an unverified fact."""
    fact, membership = selectors.get_fact_for_user(request.user, pk, fact_pk, Role.MEMBER)
    form = FactEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.fact_edit(
                actor=request.user, fact=fact, text=data["text"], note=data["note"], expected_revision=data["revision"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            fact.refresh_from_db()
            # Keep what the user wrote, against the fresh revision: they compare, then save again.
            fresh = FactEditForm(initial={**data, "revision": fact.revision})
            return _fact_page(request, fact, membership, status=409, edit_form=fresh)
        else:
            messages.success(request, _("New version of the fact saved."))
            return redirect(fact_url(fact))
    return _fact_page(request, fact, membership, status=400, edit_form=form)


@login_required
@require_POST
def source_add(request, pk, fact_pk):
    fact, membership = selectors.get_fact_for_user(request.user, pk, fact_pk, Role.MEMBER)
    form = SourceForm(request.POST)
    if form.is_valid():
        try:
            services.fact_add_source(actor=request.user, fact=fact, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Source added."))
            return redirect(f"{fact_url(fact)}#sources")
    return _fact_page(request, fact, membership, status=400, source_form=form)
