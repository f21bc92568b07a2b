"""Pages of the incident workspace. Each view authorises, validates, calls one service."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cells.access import require_role
from cells.models import Role
from cells.selectors import current_cell_for_request
from crisiscell.errors import Conflict

from . import selectors, services, workflow
from .forms import IncidentForm, IncidentPageFilter, LogEntryForm, TransitionForm
from .models import Level, LogKind
from .workspace import workspace_panels

INCIDENT_PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
# Entries written by people: what they said can be wrong. Automatic entries
# (creation, edits, notifications) record facts of the system.
CORRECTABLE_KINDS = (LogKind.NOTE, LogKind.CORRECTION, LogKind.LEVEL_CHANGED)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def is_htmx(request) -> bool:
    # A history restore (back button after hx-push-url) needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@login_required
def incident_list(request):
    membership, _memberships = current_cell_for_request(request)
    if membership is None:
        return render(request, "incidents/no_cell.html")
    incidents = selectors.incidents_visible_to(request.user).filter(cell=membership.cell)
    filterset = IncidentPageFilter(request.GET or None, queryset=incidents)
    filtering = filterset.is_bound and any(value for key, value in request.GET.items() if key != "page")
    page = Paginator(filterset.qs.order_by("-updated_at", "-id"), INCIDENT_PAGE_SIZE).get_page(request.GET.get("page"))
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
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, cell=membership.cell, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Incident opened at level %(level)s.") % {"level": Level.WATCH.label})
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if form.is_bound else 200
    return render(request, "incidents/form.html", {"form": form, "cell": membership.cell}, status=status)


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
            messages.success(request, _("Changes saved and recorded in the crisis log."))
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "incidents/form.html", {"form": form, "incident": incident, "cell": incident.cell}, status=status
    )


# Seriousness of each level, to word a move as an escalation or a de-escalation.
_GRAVITY = {Level.WATCH: 0, Level.ALERT: 1, Level.RECOVERY: 1, Level.CRISIS: 2}


def transition_label(from_level: str, to_level: str) -> str:
    """The wording of a transition button: what the move means for the cell."""
    to = Level(to_level)
    if to == Level.CLOSED:
        return _("Close the incident")
    if from_level == Level.CLOSED:
        return _("Reopen at %(level)s") % {"level": to.label}
    if to == Level.RECOVERY:
        return _("Move to %(level)s") % {"level": to.label}
    if from_level == Level.RECOVERY:
        return _("Relapse: back to %(level)s") % {"level": to.label}
    if _GRAVITY[to] > _GRAVITY[Level(from_level)]:
        return _("Escalate to %(level)s") % {"level": to.label}
    return _("De-escalate to %(level)s") % {"level": to.label}


def _people_in(entries) -> dict:
    """Users named by id in "edited" entries (owner changes), fetched in one query."""
    ids = set()
    for entry in entries:
        if entry.kind == LogKind.EDITED:
            owner_change = (entry.data or {}).get("changes", {}).get("owner") or []
            ids.update(value for value in owner_change if isinstance(value, int))
    return get_user_model().objects.in_bulk(ids) if ids else {}


def _workspace_context(request, incident, membership, *, log_form=None, transition_form=None, **panel_forms):
    entries = Paginator(selectors.log_entries(incident).prefetch_related("corrections"), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_contribute = membership.has_role(Role.MEMBER)
    log_form = log_form or (LogEntryForm(incident=incident) if can_contribute else None)
    # A refused correction keeps pointing at the entry it corrects.
    correcting = getattr(log_form, "cleaned_data", {}).get("corrects") if log_form is not None else None
    transitions = []
    for to in workflow.targets_for_role(incident.level, membership.role):
        form = transition_form if transition_form and transition_form.data.get("to") == to else None
        transitions.append(
            {
                "level": Level(to),
                "label": transition_label(incident.level, to),
                "form": form or TransitionForm(initial={"to": to, "expected_level": incident.level}),
                "open": form is not None,
            }
        )
    return {
        "incident": incident,
        "membership": membership,
        "entries": entries,
        "people": _people_in(entries),
        "history": selectors.level_history(incident).order_by("seq"),
        "can_contribute": can_contribute,
        "log_form": log_form,
        "correcting": correcting,
        "transitions": transitions,
        "levels": list(Level),
        "correctable_kinds": CORRECTABLE_KINDS,
        **workspace_panels(request, incident, membership, **panel_forms),
    }


def render_workspace(request, incident, membership, *, status: int = 200, **forms):
    """The workspace again, e.g. with a refused form's errors (4xx) or the fresh state after a conflict (409)."""
    return render(
        request, "incidents/detail.html", _workspace_context(request, incident, membership, **forms), status=status
    )


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
            # Show the page as it is now, so the user decides again on fresh facts.
            messages.error(request, conflict.message)
            incident.refresh_from_db()
            context = _workspace_context(request, incident, membership)
            return render(request, "incidents/detail.html", context, status=409)
        else:
            messages.success(
                request, _("Level changed to %(level)s.") % {"level": Level(form.cleaned_data["to"]).label}
            )
            return redirect("incidents:detail", pk=pk)
    targets = workflow.targets_for_role(incident.level, membership.role)
    if request.POST.get("to") not in targets:
        # No button carries this move, so its errors go to the top of the page.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    context = _workspace_context(request, incident, membership, transition_form=form)
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
            if not is_htmx(request):
                messages.success(request, _("Entry added to the crisis log."))
                return redirect("incidents:detail", pk=pk)
            form, status = LogEntryForm(incident=incident), 200
    context = _workspace_context(request, incident, membership, log_form=form)
    if is_htmx(request):
        # HTMX swaps the log panel only, even on errors (with the form's messages);
        # 422 is the one error status the page's htmx-config swaps in.
        return render(request, "incidents/_log_panel.html", context, status=200 if status == 200 else 422)
    return render(request, "incidents/detail.html", context, status=status)
