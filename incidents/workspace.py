"""The panels of the incident workspace beyond the incident's own (summary, level, crisis log):
each app registers the context of its panels, in its AppConfig.ready():

    from incidents import workspace

    def facts_context(request, incident, membership, forms: dict) -> dict:
        return facts_panel(incident, membership, request.user)

    workspace.register_panel("facts", facts_context)

`forms` carries a refused form back to the page (`fact_form=...`, with its errors).
Each panel is also served alone as a fragment for live updates (the app's own URL);
the panels a crisis-log kind refreshes are registered with the kind (incidents.log_kinds).
"""

from collections.abc import Callable
from dataclasses import dataclass

from cells.models import Membership
from core.registry import Registry

from .models import Incident


@dataclass(frozen=True)
class Panel:
    key: str
    context: Callable[..., dict]


PANELS = Registry("workspace panels")


def register_panel(key: str, context: Callable[..., dict]) -> Panel:
    return PANELS.register(key, Panel(key=key, context=context))


def workspace_panels(request, incident: Incident, membership: Membership, **forms) -> dict:
    context = {}
    for panel in PANELS.values():
        context.update(panel.context(request, incident, membership, forms))
    return context
