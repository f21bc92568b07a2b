"""Pages of the claims register: the claims panel (and its fragment), a claim's page, its moves and links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cells.models import Role
from core import flash
from core.errors import Conflict
from core.http import is_htmx
from incidents import workspace
from incidents.panel_views import panel_fragment
from incidents.selectors import get_incident_for_user
from reminders import cadence
from reminders.panels import reminders_for

from . import claims, selectors
from .forms import ClaimForm, ClaimLinkForm, ClaimMoveForm
from .models import ClaimStatus, FactStatus
from .panels import claims_panel, decorate_claim
from .views import workspace_url


def claim_url(claim) -> str:
    return reverse("facts:claim-detail", args=[claim.incident_id, claim.pk])


# --- The panel -----------------------------------------------------------------------------------


# The claims panel alone (its refreshable wrapper), for live updates.
claims_panel_fragment = panel_fragment(
    "facts/_claims_panel.html", lambda request, incident, membership: claims_panel(incident, membership, request.user)
)


@login_required
@require_POST
def claim_add(request, pk):
    incident, membership = get_incident_for_user(request.user, pk, Role.MEMBER)
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            claim = claims.claim_create(
                actor=request.user, incident=incident, text=form.cleaned_data["text"], **form.fields_for_service()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            notice = _("Claim #%(id)s registered as circulating.") % {"id": claim.pk}
            if is_htmx(request):
                return _add_fragment(request, incident, membership, ClaimForm(), notice=notice)
            messages.success(request, notice)
            return redirect(workspace_url(incident.pk, "claims"))
    if is_htmx(request):
        return _add_fragment(request, incident, membership, form, status=422)
    return workspace.render(request, incident, membership, status=400, claim_form=form)


def _add_fragment(request, incident, membership, form, *, notice: str = "", status: int = 200):
    context = {"incident": incident, "membership": membership, "claim_form": form, "notice": notice}
    if notice:
        context.update(claims_panel(incident, membership, request.user), oob=True)
    return render(request, "facts/_claim_add_response.html", context, status=status)


# --- A claim's page ------------------------------------------------------------------------------


def _linkable_facts(incident):
    """Facts that can settle a claim: not those known to be false."""
    return list(selectors.facts_for_incident(incident).exclude(status__in=[FactStatus.REFUTED, FactStatus.RETRACTED]))


def _claim_page(request, claim, membership, *, status: int = 200, move_form=None, link_form=None):
    incident = claim.incident
    claim = selectors.claims_for_incident(incident).get(pk=claim.pk)
    claim.incident = incident
    decorate_claim(claim, membership, cadence.claim_unanswered_after(incident.cell), timezone.now())
    contributor = membership.has_role(Role.MEMBER)
    linked = {link.fact_id for link in claim.fact_links.all()}
    context = {
        "incident": incident,
        "membership": membership,
        "claim": claim,
        "can_contribute": contributor,
        "move_form": move_form or ClaimMoveForm(initial={"expected_status": claim.status, "return_to": "page"}),
        "reminders": reminders_for(incident, membership, claim=claim),
    }
    if contributor:
        facts = [fact for fact in _linkable_facts(incident) if fact.pk not in linked]
        context["link_form"] = link_form or ClaimLinkForm(facts=facts)
    return render(request, "facts/claim_detail.html", context, status=status)


@login_required
@require_GET
def claim_detail(request, pk, claim_pk):
    claim, membership = selectors.get_claim_for_user(request.user, pk, claim_pk)
    return _claim_page(request, claim, membership)


def _move_data(request):
    """The workspace's buttons share one form outside the refreshable panel (see incidents/detail.html):
    each names the status its claim had when the page showed it in its action URL."""
    data = request.POST.copy()
    if "expected_status" not in data and "expected_status" in request.GET:
        data["expected_status"] = request.GET["expected_status"]
    return data


@login_required
@require_POST
def claim_transition(request, pk, claim_pk):
    claim, membership = selectors.get_claim_for_user(request.user, pk, claim_pk, Role.MEMBER)
    form = ClaimMoveForm(_move_data(request))
    on_page = form.back_to_page()
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = claims.claim_transition(
                actor=request.user,
                claim=claim,
                to_status=data["to"],
                note=data["note"],
                expected_status=data["expected_status"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            if on_page:
                return _claim_page(request, claim, membership, status=409)
            return workspace.render(request, claim.incident, membership, status=409)
        else:
            flash.success(
                request,
                _("Claim #%(id)s is now %(status)s.") % {"id": moved.pk, "status": ClaimStatus(moved.status).label},
                until=f"claim.|claim={moved.pk}",
            )
            return redirect(claim_url(claim) if on_page else workspace_url(claim.incident_id, "claims"))
    if on_page:
        return _claim_page(request, claim, membership, status=400, move_form=form)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return workspace.render(request, claim.incident, membership, status=400)


@login_required
@require_POST
def claim_link(request, pk, claim_pk):
    """Link a fact that confirms or refutes the claim (the evidence a debunk or a confirmation needs)."""
    claim, membership = selectors.get_claim_for_user(request.user, pk, claim_pk, Role.MEMBER)
    facts = _linkable_facts(claim.incident)
    form = ClaimLinkForm(request.POST, facts=facts)
    if form.is_valid():
        fact = next(fact for fact in facts if fact.pk == form.cleaned_data["fact"])
        try:
            claims.claim_link_fact(actor=request.user, claim=claim, fact=fact, relation=form.cleaned_data["relation"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Fact #%(id)s linked to the claim.") % {"id": fact.pk})
            return redirect(claim_url(claim))
    return _claim_page(request, claim, membership, status=400, link_form=form)
