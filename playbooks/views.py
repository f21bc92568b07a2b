"""Pages: the checklist (card fragment and its actions), My tasks, the cell's playbooks (YAML in and out)."""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict
from incidents.panel_views import panel_fragment
from incidents.selectors import get_incident_for_user
from incidents.views import is_htmx, workspace_url

from . import activation, selectors, services, yamlio
from .forms import PreparednessForm, RotaSlotForm
from .models import Acknowledgement, Activation, RotaSlot, Task, TaskStatus
from .panels import activation_context, checklist_panel

MY_TASKS_PAGE_SIZE = 50
MAX_DUE_MINUTES = 7 * 24 * 60

# The checklist alone (its refreshable wrapper), for live updates.
tasks_panel = panel_fragment(
    "playbooks/_tasks_panel.html", lambda request, incident, membership: checklist_panel(incident, membership)
)


def _back(request, incident_id: int):
    """Where a checklist action returns: the page it came from (My tasks), else the workspace card."""
    if request.POST.get("return_to") == "mine":
        return redirect("playbooks:mine")
    return redirect(workspace_url(incident_id, "tasks"))


def _answer(request, incident, membership, notice: str = "", error: str = ""):
    if is_htmx(request):
        context = {"incident": incident, "membership": membership, **checklist_panel(incident, membership)}
        response = render(request, "playbooks/_tasks_panel.html", context, status=409 if error else 200)
        return response
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return _back(request, incident.pk)


def _first_message(error: ValidationError) -> str:
    return "; ".join(str(m) for messages_ in error.message_dict.values() for m in messages_)


@login_required
@require_POST
def task_move(request, pk, task_pk):
    incident, membership = get_incident_for_user(request.user, pk, services.WORK_ROLE)
    task = get_object_or_404(Task, pk=task_pk, incident=incident)
    to = request.POST.get("to", "")
    expected = request.POST.get("from") or request.GET.get("from") or None
    if expected is not None and expected not in TaskStatus.values:
        expected = None
    try:
        task = services.task_move(actor=request.user, task=task, to=to, expected_status=expected)
    except Conflict as conflict:
        return _answer(request, incident, membership, error=conflict.message)
    except ValidationError as error:
        return _answer(request, incident, membership, error=_first_message(error))
    notice = _("“%(title)s”: %(status)s.") % {"title": task.title, "status": task.get_status_display()}
    return _answer(request, incident, membership, notice=notice)


@login_required
@require_POST
def task_add(request, pk):
    incident, _membership = get_incident_for_user(request.user, pk, services.WORK_ROLE)
    errors = []
    assignee = None
    if request.POST.get("assignee"):
        try:
            assignee = get_user_model().objects.get(pk=int(request.POST["assignee"]))
        except (ValueError, get_user_model().DoesNotExist):
            errors.append(_("The assignee must be a member of the cell."))
    due_at = None
    if request.POST.get("due_in"):
        try:
            minutes = int(request.POST["due_in"])
            if not 1 <= minutes <= MAX_DUE_MINUTES:
                raise ValueError
            due_at = timezone.now() + datetime.timedelta(minutes=minutes)
        except ValueError:
            errors.append(_("Give the time left in whole minutes, 1 to %(max)s.") % {"max": MAX_DUE_MINUTES})
    if not errors:
        try:
            services.task_create(
                actor=request.user,
                incident=incident,
                title=request.POST.get("title", ""),
                assignee=assignee,
                due_at=due_at,
            )
        except ValidationError as error:
            errors.append(_first_message(error))
    if errors:
        messages.error(request, " ".join(errors))
        return redirect(workspace_url(incident.pk, "tasks"))
    messages.success(request, _("Task added to the checklist."))
    return redirect(workspace_url(incident.pk, "tasks"))


@login_required
@require_POST
def level_apply(request, pk):
    incident, _membership = get_incident_for_user(request.user, pk, services.MANAGE_ROLE)
    try:
        run = services.level_apply(
            actor=request.user,
            incident=incident,
            level=request.POST.get("level", ""),
            again=request.POST.get("again") == "1",
        )
    except Conflict as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _("%(count)s task(s) created from the playbook.") % {"count": run.tasks.count()})
    return redirect(workspace_url(incident.pk, "tasks"))


@login_required
@require_GET
def my_tasks(request):
    tasks = selectors.my_open_tasks(request.user)
    page = Paginator(tasks, MY_TASKS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "playbooks/my_tasks.html", {"page": page, "now": timezone.now()})


def _cell_membership(request, cell_id, minimum=Role.OBSERVER):
    return require_role(membership_for(request.user, cell_id), minimum)


@login_required
@require_http_methods(["GET", "POST"])
def cell_playbooks(request, cell_id):
    membership = _cell_membership(request, cell_id)
    cell = membership.cell
    errors, text, status = [], "", 200
    if request.method == "POST":
        if not membership.has_role(services.MANAGE_ROLE):
            raise PermissionDenied(_("Importing playbooks needs the manager role."))
        upload = request.FILES.get("file")
        try:
            text = upload.read().decode("utf-8") if upload else request.POST.get("yaml", "")
        except UnicodeDecodeError:
            errors = [yamlio.LineError(None, "", _("The file is not UTF-8 text."))]
        if not errors:
            try:
                versions = yamlio.import_cell(actor=request.user, cell=cell, text=text)
            except yamlio.ImportRefused as refused:
                errors = refused.errors
            else:
                messages.success(
                    request,
                    _("Imported: %(list)s.") % {"list": ", ".join(f"{v.playbook.name} v{v.number}" for v in versions)},
                )
                return redirect("playbooks:cell", cell_id=cell.pk)
        status = 400
    versions = selectors.current_versions(cell.pk)
    for version in versions:
        version.counts = [
            (level, len(version.level(level).get("tasks") or []), len(version.level(level).get("statements") or []))
            for level in ("watch", "alert", "crisis", "recovery")
        ]
    context = {
        "cell": cell,
        "membership": membership,
        "versions": versions,
        "can_manage": membership.has_role(services.MANAGE_ROLE),
        "errors": errors,
        "yaml_text": text,
    }
    return render(request, "playbooks/cell_playbooks.html", context, status=status)


@login_required
@require_GET
def cell_playbooks_export(request, cell_id):
    cell = _cell_membership(request, cell_id).cell
    response = HttpResponse(
        yamlio.export_cell(cell, selectors.current_versions(cell.pk)), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="playbooks-cell-{cell.pk}.yaml"'
    return response


# --- Activation -----------------------------------------------------------------------------------


def _activation(request, pk, activation_pk, minimum=Role.OBSERVER):
    incident, membership = get_incident_for_user(request.user, pk, minimum)
    return incident, membership, get_object_or_404(Activation, pk=activation_pk, incident=incident)


@login_required
@require_http_methods(["GET", "POST"])
def ack(request, pk, activation_pk):
    """The page an activation's notification links to: the message, and the two answers."""
    incident, membership, activation_ = _activation(request, pk, activation_pk)
    if request.method == "POST":
        try:
            activation.acknowledge(
                actor=request.user,
                activation=activation_,
                answer=request.POST.get("answer", ""),
                note=request.POST.get("note", ""),
            )
        except Conflict as conflict:
            messages.info(request, conflict.message)
        except ValidationError as error:
            messages.error(request, _first_message(error))
        else:
            messages.success(request, _("Your answer is recorded; the cell sees it now."))
            return redirect(workspace_url(incident.pk, "activation"))
        return redirect("playbooks:ack", pk=incident.pk, activation_pk=activation_.pk)
    mine = Acknowledgement.objects.filter(activation=activation_, user=request.user).first()
    context = {"incident": incident, "membership": membership, "activation": activation_, "mine": mine}
    return render(request, "playbooks/ack.html", context)


@login_required
@require_POST
def activate(request, pk):
    incident, _membership = get_incident_for_user(request.user, pk, Role.MANAGER)
    try:
        activation.activate_by_hand(actor=request.user, incident=incident, message=request.POST.get("message", ""))
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _("The cell is activated: every member is notified."))
    return redirect(workspace_url(incident.pk, "activation"))


# The activation card alone, for live updates.
activation_panel = panel_fragment(
    "playbooks/_activation_panel.html",
    lambda request, incident, membership: activation_context(incident, membership, request.user),
)


# --- The cell's preparedness settings: activation level, cadences, on-call rota ---------------------

ROTA_PAST_DAYS = 7


def _rota_members(cell):
    """Who can be on call: the cell's active members, by name."""
    return [
        m.user
        for m in cell.memberships.select_related("user").order_by("user__first_name", "user__username")
        if m.user.is_active
    ]


@login_required
@require_http_methods(["GET", "POST"])
def cell_settings(request, cell_id):
    """Managers and admins: which level activates the cell, the digest interval and reminder
    cadences, and who is on call. One page, two forms (told apart by `form`)."""
    membership = _cell_membership(request, cell_id, services.MANAGE_ROLE)
    cell = membership.cell
    prefs = activation.settings_for(cell.pk)
    members = _rota_members(cell)
    settings_form = PreparednessForm(instance=prefs, prefix="prefs")
    rota_form = RotaSlotForm(members=members, prefix="rota")
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "settings":
            settings_form = PreparednessForm(request.POST, instance=prefs, prefix="prefs")
            if settings_form.is_valid():
                fields = {name: settings_form.cleaned_data[name] for name in settings_form.Meta.fields}
                activation.preparedness_save(actor=request.user, cell=cell, **fields)
                messages.success(request, _("Settings saved: they apply to the next activations and reminders."))
                return redirect("playbooks:settings", cell_id=cell.pk)
        elif which == "rota":
            rota_form = RotaSlotForm(request.POST, members=members, prefix="rota")
            if rota_form.is_valid():
                try:
                    services.rota_add(actor=request.user, cell=cell, **rota_form.cleaned_data)
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        rota_form.add_error(field if field in rota_form.fields else None, errors)
                else:
                    messages.success(request, _("On-call slot added."))
                    return redirect("playbooks:settings", cell_id=cell.pk)
        else:
            messages.error(request, _("Send the settings form or the rota form."))
            return redirect("playbooks:settings", cell_id=cell.pk)
        status = 400
    since = timezone.now() - datetime.timedelta(days=ROTA_PAST_DAYS)
    context = {
        "cell": cell,
        "membership": membership,
        "settings_form": settings_form,
        "rota_form": rota_form,
        "slots": RotaSlot.objects.filter(cell=cell, ends_at__gte=since)
        .select_related("user")
        .order_by("starts_at", "id"),
        "now": timezone.now(),
    }
    return render(request, "playbooks/cell_settings.html", context, status=status)


@login_required
@require_POST
def rota_remove(request, cell_id, slot_pk):
    membership = _cell_membership(request, cell_id, services.MANAGE_ROLE)
    slot = get_object_or_404(RotaSlot, pk=slot_pk, cell=membership.cell)
    services.rota_remove(actor=request.user, slot=slot)
    messages.success(request, _("On-call slot removed."))
    return redirect("playbooks:settings", cell_id=membership.cell_id)
