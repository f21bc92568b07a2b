"""What monitoring plugs into the apps below it (README: How to plug in a new app)."""

from django.utils.translation import gettext_lazy as _

from . import panels


def _mentions_context(request, incident, membership, page: dict) -> dict:
    return {"mentions_panel": panels.incident_mentions(incident)}


def register() -> None:
    """Called once from MonitoringConfig.ready()."""
    from incidents import workspace

    # In the side column after the chat: a compact card (sparkline, the latest mentions),
    # its full page one click away. Refreshed by the cell's monitoring socket (the panel's
    # own script), not by the incident's events.
    workspace.register_panel(
        "monitoring-mentions",
        slot="side",
        order=35,
        template="monitoring/_incident_panel_section.html",
        context=_mentions_context,
        title=_("What is said online"),
        nav=65,
        live=[panels.LIVE_PANEL],
    )
