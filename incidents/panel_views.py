"""The incident's own workspace panels, served alone for live updates.

Each fragment is the outer element of one part of incidents/detail.html
(`data-live-panel` + `data-panel-url`): a page that hears of a change fetches
the fragment and swaps it in. Same authorisation as the page (any member).
"""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.models import Role

from . import attention, selectors, workflow
from .forms import TransitionForm
from .models import Level, LogKind

LOG_PAGE_SIZE = 50
# Entries written by people: what they said can be wrong. Automatic entries
# (creation, edits, notifications) record facts of the system.
CORRECTABLE_KINDS = (LogKind.NOTE, LogKind.CORRECTION, LogKind.LEVEL_CHANGED)
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


def transition_choices(incident, membership, transition_form=None) -> list[dict]:
    """The moves the member may make now, each with its reason form (a refused one keeps its input)."""
    choices = []
    for to in workflow.targets_for_role(incident.level, membership.role):
        form = transition_form if transition_form and transition_form.data.get("to") == to else None
        choices.append(
            {
                "level": Level(to),
                "label": transition_label(incident.level, to),
                "form": form or TransitionForm(initial={"to": to, "expected_level": incident.level}),
                "open": form is not None,
                # The checklist of the close form: what is still open (statements, claims, reminders...).
                "still_open": attention.open_at_close(incident) if to == Level.CLOSED else [],
            }
        )
    return choices


def people_in(entries) -> dict:
    """Users named by id in "edited" entries (owner changes), fetched in one query."""
    ids = set()
    for entry in entries:
        if entry.kind == LogKind.EDITED:
            owner_change = (entry.data or {}).get("changes", {}).get("owner") or []
            ids.update(value for value in owner_change if isinstance(value, int))
    return get_user_model().objects.in_bulk(ids) if ids else {}


def log_cache_key(request, incident, can_contribute: bool, page: int) -> str:
    """What the rendered log list depends on (templates/incidents/_log_list.html caches it).

    The incident's event sequence moves with every entry, pin and correction: a new
    number, a new key. The entries are read after the incident, so what is cached under a
    number is never older than that number. Also: the buttons (member or not), the query
    (page, hidden automatic entries, kept in the page links), language and time zone.
    People's names are not in it: a renamed user shows under the new name from the next change.
    """
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
    zone = timezone.get_current_timezone_name()
    return f"{incident.pk}:{incident.event_seq}:{int(can_contribute)}:{page}:{query}:{get_language()}:{zone}"


def log_context(request, incident, membership) -> dict:
    # ?auto=hide: the one switch that hides the entries the system writes by itself.
    hide_automatic = request.GET.get("auto") == "hide"
    entries = selectors.log_entries(incident).prefetch_related("corrections")
    if hide_automatic:
        entries = selectors.without_automatic(entries)
    paginator = Paginator(entries, LOG_PAGE_SIZE)
    if not hide_automatic:
        # The log is append-only and numbered 1..log_seq: no COUNT (over every entry of a long log).
        paginator.count = incident.log_seq
    entries = paginator.get_page(request.GET.get("page"))
    can_contribute = membership.has_role(Role.MEMBER)
    return {
        "entries": entries,
        # Read only if the list is rendered (not when it comes from the panel cache) and shows an edit.
        "people": SimpleLazyObject(lambda: people_in(entries)),
        "log_cache_key": log_cache_key(request, incident, can_contribute, entries.number),
        "can_contribute": can_contribute,
        "correctable_kinds": CORRECTABLE_KINDS,
        "hide_automatic": hide_automatic,
        "pinned": selectors.pinned_entry_ids(incident),
    }


def _base(request, incident, membership) -> dict:
    return {"incident": incident, "membership": membership, "can_contribute": membership.has_role(Role.MEMBER)}


PANELS = {
    "pagehead": ("incidents/_pagehead.html", _base),
    "level-track": ("incidents/_level_track.html", lambda r, i, m: {**_base(r, i, m), "levels": list(Level)}),
    "summary": ("incidents/_summary_card.html", _base),
    "transitions": (
        "incidents/_transitions.html",
        lambda r, i, m: {**_base(r, i, m), "transitions": transition_choices(i, m)},
    ),
    "history": (
        "incidents/_level_history.html",
        lambda r, i, m: {**_base(r, i, m), "history": selectors.level_history(i).order_by("seq")},
    ),
    "log": ("incidents/_log_list.html", lambda r, i, m: {**_base(r, i, m), **log_context(r, i, m)}),
}


def render_panel(request, pk, template: str, build) -> HttpResponse:
    """One panel alone, for any member of the incident's cell (404 for anyone else)."""
    incident, membership = selectors.get_incident_for_user(request.user, pk)
    context = {"incident": incident, "membership": membership, **build(request, incident, membership)}
    return render(request, template, context)


def panel_fragment(template: str, build):
    """The view of one workspace panel: `build(request, incident, membership)` gives its context.

    Every app's panel (facts, claims, statements, chat...) is served this way, so
    that all fragments share one authorisation and one shape.
    """

    @login_required
    @require_GET
    def view(request, pk):
        return render_panel(request, pk, template, build)

    return view


@login_required
@require_GET
def incident_panel(request, pk, name):
    if name not in PANELS:
        raise Http404("No such panel.")
    template, build = PANELS[name]
    return render_panel(request, pk, template, build)
