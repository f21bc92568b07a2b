"""Pages of the incident workspace. Each view authorises, validates, calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cells.access import require_role
from cells.models import Role
from cells.selectors import current_cell_for_request
from crisiscell.errors import Conflict

from . import selectors, services, workflow
from .filters import IncidentFilter
from .forms import IncidentForm, LogEntryForm, TransitionForm
from .models import Level

LOG_PAGE_SIZE = 50


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def incident_list(request):
    membership, _memberships = current_cell_for_request(request)
    if membership is None:
        return render(request, "incidents/no_cell.html")
    incidents = selectors.incidents_visible_to(request.user).filter(cell=membership.cell)
    filterset = IncidentFilter(request.GET or None, queryset=incidents)
    filterset.form.fields.pop("cell")
    page = Paginator(filterset.qs.order_by("-updated_at", "-id"), 25).get_page(request.GET.get("page"))
    template = "incidents/_incident_rows.html" if request.headers.get("HX-Request") else "incidents/list.html"
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "membership": membership, "can_create": membership.has_role(Role.MEMBER)},
        status=status,
    )


@login_required
def incident_create(request):
    membership, _memberships = current_cell_for_request(request)
    membership = require_role(membership, Role.MEMBER)
    form = IncidentForm(request.POST or None, cell=membership.cell)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, cell=membership.cell, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if form.is_bound else 200
    return render(request, "incidents/form.html", {"form": form, "cell": membership.cell}, status=status)


@login_required
def incident_edit(request, pk):
    incident, _membership = selectors.get_incident_for_user(request.user, pk, Role.MEMBER)
    form = IncidentForm(request.POST or None, instance=incident, cell=incident.cell)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        fresh = selectors.get_incident_for_user(request.user, pk, Role.MEMBER)[0]
        try:
            services.incident_update(actor=request.user, incident=fresh, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if form.is_bound else 200
    return render(request, "incidents/form.html", {"form": form, "incident": incident}, status=status)


def _workspace_context(request, incident, membership, **forms):
    entries = Paginator(selectors.log_entries(incident), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    can_contribute = membership.has_role(Role.MEMBER)
    targets = workflow.targets_for_role(incident.level, membership.role)
    return {
        "incident": incident,
        "membership": membership,
        "entries": entries,
        "history": selectors.level_history(incident),
        "can_contribute": can_contribute,
        "log_form": forms.get("log_form") or (LogEntryForm(incident=incident) if can_contribute else None),
        "transitions": [
            {
                "level": Level(to),
                "form": forms.get("transition_forms", {}).get(to)
                or TransitionForm(initial={"to": to, "expected_level": incident.level}),
            }
            for to in targets
        ],
        "levels": list(Level),
    }


@login_required
def incident_detail(request, pk):
    incident, membership = selectors.get_incident_for_user(request.user, pk)
    return render(request, "incidents/detail.html", _workspace_context(request, incident, membership))


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
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect("incidents:detail", pk=pk)
        else:
            messages.success(
                request, _("Level changed to %(level)s.") % {"level": Level(form.cleaned_data["to"]).label}
            )
            return redirect("incidents:detail", pk=pk)
    to = request.POST.get("to")
    context = _workspace_context(request, incident, membership, transition_forms={to: form})
    context["open_transition"] = to
    return render(request, "incidents/detail.html", context, status=status)


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
            if not request.headers.get("HX-Request"):
                return redirect("incidents:detail", pk=pk)
            form, status = LogEntryForm(incident=incident), 200
    context = _workspace_context(request, incident, membership, log_form=form)
    if request.headers.get("HX-Request"):
        # HTMX swaps the log panel only, even on errors (with the form's messages).
        return render(request, "incidents/_log_panel.html", context, status=200 if status == 200 else 422)
    return render(request, "incidents/detail.html", context, status=status)
