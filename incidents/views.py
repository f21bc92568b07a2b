"""Pages of the incident workspace. Each view authorises, validates, calls one service."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cells.access import require_role
from cells.models import Role
from cells.selectors import current_cell_for_request
from core import flash
from core.errors import Conflict
from core.forms import add_service_errors
from core.http import is_htmx

from . import attention, search, selectors, services, workflow, workspace
from .forms import IncidentForm, IncidentPageFilter, LogEntryForm, TransitionForm
from .models import Level
from .search import IncidentSearchForm

INCIDENT_PAGE_SIZE = 25
LOG_PANEL = "incidents/_log_panel.html"
# An identical title opened this recently is probably the same incident sent twice.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def workspace_url(incident_id: int, anchor: str) -> str:
    """The incident's workspace, scrolled to one of its panels."""
    return f"{reverse('incidents:detail', args=[incident_id])}#{anchor}"


@login_required
@require_safe  # a read-only page: POST is 405, never a silent 200
def incident_list(request):
    membership, _memberships = current_cell_for_request(request)
    if membership is None:
        return render(request, "incidents/no_cell.html")
    incidents = selectors.incidents_visible_to(request.user).filter(cell=membership.cell)
    filterset = IncidentPageFilter(request.GET or None, queryset=incidents)
    filtering = filterset.is_bound and any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    # Every count of what needs attention comes in the same query as the rows (correlated subqueries).
    rows = attention.annotate(filterset.qs)
    if filterset.is_bound and filterset.is_valid() and filterset.sort_order == "attention":
        rows = attention.by_attention(rows)
    else:
        rows = rows.order_by("-updated_at", "-id")
    page = Paginator(rows, INCIDENT_PAGE_SIZE).get_page(request.GET.get("page"))
    concerns = attention.listed()
    for incident in page.object_list:
        incident.concern_counts = [(concern, getattr(incident, concern.key)) for concern in concerns]
    template = "incidents/_incident_rows.html" if is_htmx(request) else "incidents/list.html"
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    response = render(
        request,
        template,
        {
            "filter": filterset,
            "filtering": filtering,
            "page": page,
            "membership": membership,
            "can_create": membership.has_role(Role.MEMBER),
        },
        status=status,
    )
    # The same URL answers a fragment to HTMX and a page to the browser: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def incident_create(request):
    membership, _memberships = current_cell_for_request(request)
    membership = require_role(membership, Role.MEMBER)
    form = IncidentForm(request.POST or None, cell=membership.cell)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        # Going back after opening an incident and sending the form again would open it twice:
        # the same title, just opened, is shown first and needs a second, explicit "open".
        if not request.POST.get("confirm_duplicate"):
            duplicate = selectors.recently_opened_with_title(
                membership.cell, form.cleaned_data["title"], within=DUPLICATE_WINDOW
            )
        if duplicate is None:
            try:
                incident = services.incident_create(actor=request.user, cell=membership.cell, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                flash.success(
                    request,
                    _("Incident opened at level %(level)s.") % {"level": Level.WATCH.label},
                    until="level.changed",
                )
                return redirect("incidents:detail", pk=incident.pk)
    status = 409 if duplicate else 400 if form.is_bound else 200
    context = {"form": form, "cell": membership.cell, "duplicate": duplicate}
    return render(request, "incidents/form.html", context, status=status)


@login_required
def incident_edit(request, pk):
    incident, _membership = selectors.get_incident_for_user(request.user, pk, Role.MEMBER)
    form = IncidentForm(request.POST or None, instance=incident, cell=incident.cell)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        if not changes:
            # Saving an untouched form is no edit: nothing to log, nothing to refuse.
            messages.info(request, _("Nothing was changed."))
            return redirect("incidents:detail", pk=incident.pk)
        fresh = selectors.get_incident_for_user(request.user, pk, Role.MEMBER)[0]
        try:
            services.incident_update(actor=request.user, incident=fresh, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            flash.success(request, _("Changes saved and recorded in the crisis log."), until="edited.")
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "incidents/form.html", {"form": form, "incident": incident, "cell": incident.cell}, status=status
    )


@login_required
@require_safe  # a read-only page: POST is 405 and changes nothing
def incident_detail(request, pk):
    incident, membership = selectors.get_incident_for_user(request.user, pk)
    return workspace.render(request, incident, membership)


@login_required
@require_POST
def incident_transition(request, pk):
    incident, membership = selectors.get_incident_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.incident_transition(
                actor=request.user,
                incident=incident,
                to_level=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                expected_level=form.cleaned_data["expected_level"],
                force_reason=form.cleaned_data["force_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            # Show the page as it is now, so the user decides again on fresh facts
            # (a refused close keeps its form open, with what is still open and the text typed).
            messages.error(request, conflict.message)
            incident.refresh_from_db()
            kept = form if isinstance(conflict, services.CloseBlocked) else None
            return workspace.render(request, incident, membership, status=409, transition_form=kept)
        else:
            # Taken down by the page if someone else moves the level afterwards (stale-banners.js).
            flash.success(
                request,
                _("Level changed to %(level)s.") % {"level": Level(form.cleaned_data["to"]).label},
                until="level.changed",
            )
            return redirect("incidents:detail", pk=pk)
    targets = workflow.targets_for_role(incident.level, membership.role)
    if request.POST.get("to") not in targets:
        # No button carries this move, so its errors go to the top of the page.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return workspace.render(request, incident, membership, status=status, transition_form=form)


@login_required
@require_POST
def log_entry_add(request, pk):
    incident, membership = selectors.get_incident_for_user(request.user, pk, Role.MEMBER)
    form = LogEntryForm(request.POST, incident=incident)
    status = 400
    if form.is_valid():
        try:
            services.log_entry_add(actor=request.user, incident=incident, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Entry added to the crisis log."))
                return redirect("incidents:detail", pk=pk)
            form, status = LogEntryForm(incident=incident), 200
    if is_htmx(request):
        # HTMX swaps the log panel only, even on errors (with the form's messages);
        # 422 is the one error status the page's htmx-config swaps in.
        status = 200 if status == 200 else 422
        return workspace.render(request, incident, membership, status=status, template=LOG_PANEL, log_form=form)
    return workspace.render(request, incident, membership, status=status, log_form=form)


@login_required
@require_POST
def log_entry_pin(request, pk, entry_pk):
    """Pin a crisis-log entry as a key decision (pinned=0: unpin it); the pin is itself logged."""
    incident, _membership = selectors.get_incident_for_user(request.user, pk, Role.MEMBER)
    entry = selectors.log_entries(incident).filter(pk=entry_pk).first()
    if entry is None:
        raise Http404(_("No such entry in this incident."))
    pinned = request.POST.get("pinned") != "0"
    try:
        services.log_entry_pin(actor=request.user, incident=incident, entry=entry, pinned=pinned)
    except (ValidationError, Conflict) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
    else:
        messages.success(
            request,
            (_("Entry #%(seq)s pinned as a key decision.") if pinned else _("Entry #%(seq)s unpinned."))
            % {"seq": entry.seq},
        )
    return redirect(workspace_url(incident.pk, f"entry-{entry.pk}"))


@login_required
def incident_search(request, pk):
    """Search inside the incident (any member of its cell): log, chat, facts, claims, statements."""
    incident, membership = selectors.get_incident_for_user(request.user, pk)
    form = IncidentSearchForm(request.GET or None, incident=incident)
    results = None
    if form.is_searching:
        results = search.search(incident, **form.cleaned_data)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"incident": incident, "membership": membership, "form": form, "results": results}
    return render(request, "incidents/search.html", context, status=status)
