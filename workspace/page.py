"""The incident workspace page: the incident's own parts and every panel the apps registered
(incidents.workspace), slot by slot. Each panel is also served alone as a fragment (its app's
URL) for live updates; this module puts them together for the page."""

from django.shortcuts import render
from django.utils.safestring import mark_safe

from cells.models import Role
from incidents import workspace
from incidents.forms import LogEntryForm
from incidents.models import Incident

TEMPLATE = "incidents/detail.html"


def _visible(panel, membership) -> bool:
    return not panel.role or membership.has_role(panel.role)


def workspace_context(request, incident: Incident, membership, **forms) -> dict:
    """The page's context: each registered panel adds its part, lower apps first; then the
    slots (what to draw where, in order) and the jump bar."""
    can_contribute = membership.has_role(Role.MEMBER)
    log_form = forms.pop("log_form", None) or (LogEntryForm(incident=incident) if can_contribute else None)
    # A refused correction keeps pointing at the entry it corrects.
    correcting = getattr(log_form, "cleaned_data", {}).get("corrects") if log_form is not None else None
    page = {
        "incident": incident,
        "membership": membership,
        "can_contribute": can_contribute,
        "log_form": log_form,
        "correcting": correcting,
        **forms,
    }
    shown = [panel for panel in workspace.panels() if _visible(panel, membership)]
    for panel in shown:
        if panel.context is not None:
            page.update(panel.context(request, incident, membership, page))
    slots: dict[str, list] = {slot: [] for slot in workspace.SLOTS}
    for panel in sorted(shown, key=lambda panel: panel.order):
        if panel.render is not None:
            # HTML rendered by the panel's own template (escaped there).
            html = mark_safe(panel.render(request, incident, membership, page))  # noqa: S308
            slots[panel.slot].append({"key": panel.key, "html": html})
        elif panel.template:
            slots[panel.slot].append({"key": panel.key, "template": panel.template})
    page["slots"] = slots
    page["jump_links"] = [
        {"anchor": panel.anchor, "title": panel.title}
        for panel in sorted((p for p in shown if p.nav is not None and p.title), key=lambda p: p.nav)
    ]
    return page


def render_workspace(request, incident: Incident, membership, *, status: int = 200, template=None, **forms):
    """The workspace, e.g. with a refused form's errors (4xx) or the fresh state after a conflict (409)."""
    context = workspace_context(request, incident, membership, **forms)
    return render(request, template or TEMPLATE, context, status=status)
