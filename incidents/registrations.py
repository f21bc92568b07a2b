"""What the incidents app registers itself (AppConfig.ready): its own crisis-log kinds and
its parts of the workspace (level, summary, level history, the crisis log and its verification)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from . import log_kinds, selectors, workspace
from .models import Level, LogKind
from .panel_views import log_context, transition_choices
from .verification_views import verification_context


def _log(request, incident, membership, page: dict) -> dict:
    return log_context(request, incident, membership)


def _transitions(request, incident, membership, page: dict) -> dict:
    # A refused move keeps its form open with what was typed.
    return {"transitions": transition_choices(incident, membership, page.get("transition_form"))}


def _levels(request, incident, membership, page: dict) -> dict:
    return {"levels": list(Level)}


def _history(request, incident, membership, page: dict) -> dict:
    return {"history": selectors.level_history(incident).order_by("seq")}


def _verification(request, incident, membership, page: dict) -> str:
    return render_to_string("incidents/_log_verification.html", verification_context(incident), request=request)


def register_panels() -> None:
    """The incident's own parts of the workspace (the places other apps' panels fit between: README)."""
    workspace.register_panel(
        "log",
        slot="main",
        order=10,
        template="incidents/_log_panel.html",
        context=_log,
        title=_("Crisis log"),
        nav=50,
        anchor="log-panel",
    )
    workspace.register_panel(
        "level-track", slot="flow", order=30, template="incidents/_level_track.html", context=_levels, live=["summary"]
    )
    workspace.register_panel("summary", slot="side", order=10, template="incidents/_summary_card.html")
    workspace.register_panel(
        "transitions",
        slot="side",
        order=20,
        template="incidents/_transitions.html",
        context=_transitions,
        title=_("Level"),
        nav=20,
        live=["summary"],
    )
    workspace.register_panel(
        "level-history",
        slot="side",
        order=40,
        template="incidents/_level_history.html",
        context=_history,
        live=["summary"],
    )
    # Polls for itself while a check runs (incidents:log-verification), no live event.
    workspace.register_panel("log-verification", slot="side", order=50, render=_verification, live=[])


def register() -> None:
    for kind, panels in (
        (LogKind.CREATED, ["summary", "log"]),
        (LogKind.EDITED, ["summary", "log"]),
        # A new level also changes the review deadline of published holding statements.
        (LogKind.LEVEL_CHANGED, ["summary", "glance", "log", "statements"]),
        (LogKind.NOTE, ["log"]),
        # A correction may correct a pinned key decision.
        (LogKind.CORRECTION, ["glance", "log"]),
        (LogKind.PIN, ["glance", "log"]),
    ):
        log_kinds.register(kind.value, label=kind.label, panels=panels)
    # Written by the system (the escalation e-mail): hidden with the automatic entries.
    log_kinds.register(LogKind.NOTIFICATION.value, label=LogKind.NOTIFICATION.label, automatic=True)
    register_panels()
