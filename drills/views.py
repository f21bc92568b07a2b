"""Pages: the cell's drills (scenarios, YAML import, start), and a drill's page (injects, controls, scorecard)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict
from playbooks import yamlio

from . import services
from .models import Drill, DrillStatus, Scenario


@login_required
@require_http_methods(["GET", "POST"])
def cell_drills(request, cell_id):
    membership = require_role(membership_for(request.user, cell_id), Role.OBSERVER)
    cell = membership.cell
    errors, text, status = [], "", 200
    if request.method == "POST":
        if not membership.has_role(services.LEAD_ROLE):
            raise PermissionDenied(_("Importing scenarios needs the manager role."))
        text = request.POST.get("yaml", "")
        try:
            scenarios = services.scenarios_import(actor=request.user, cell=cell, text=text)
        except yamlio.ImportRefused as refused:
            errors, status = refused.errors, 400
        else:
            messages.success(request, _("Imported: %(list)s.") % {"list": ", ".join(s.name for s in scenarios)})
            return redirect("drills:cell", cell_id=cell.pk)
    context = {
        "cell": cell,
        "membership": membership,
        "scenarios": Scenario.objects.filter(cell=cell).order_by("name", "id"),
        "drills": Drill.objects.filter(cell=cell).select_related("scenario", "leader", "incident")[:50],
        "can_lead": membership.has_role(services.LEAD_ROLE),
        "errors": errors,
        "yaml_text": text,
    }
    return render(request, "drills/cell_drills.html", context, status=status)


@login_required
@require_POST
def drill_start(request, cell_id, scenario_pk):
    membership = require_role(membership_for(request.user, cell_id), services.LEAD_ROLE)
    scenario = get_object_or_404(Scenario, pk=scenario_pk, cell=membership.cell)
    drill = services.drill_start(actor=request.user, scenario=scenario)
    messages.success(request, _("The drill has started: its injects arrive at their planned times."))
    return redirect("drills:detail", pk=drill.pk)


@login_required
@require_GET
def drill_detail(request, pk):
    drill, membership = services.drill_for_user(request.user, pk)
    # The scorecard is kept for comparison with the next drill: the previous ended one of the same scenario.
    previous = (
        Drill.objects.filter(scenario=drill.scenario, status=DrillStatus.ENDED, started_at__lt=drill.started_at)
        .exclude(pk=drill.pk)
        .order_by("-started_at")
        .first()
    )
    context = {
        "drill": drill,
        "previous": previous,
        "membership": membership,
        "injects": drill.injects.order_by("position"),
        "can_lead": drill.leader_id == request.user.pk or membership.has_role(services.LEAD_ROLE),
    }
    return render(request, "drills/detail.html", context)


@login_required
@require_POST
def drill_control(request, pk):
    drill, _membership = services.drill_for_user(request.user, pk, Role.MEMBER)
    move = {"pause": services.drill_pause, "resume": services.drill_resume, "end": services.drill_end}.get(
        request.POST.get("action", "")
    )
    if move is None:
        messages.error(request, _("Choose pause, resume or end."))
    else:
        try:
            move(actor=request.user, drill=drill)
        except Conflict as conflict:
            messages.error(request, conflict.message)
    return redirect("drills:detail", pk=drill.pk)
