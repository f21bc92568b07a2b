"""The incident workspace's panels, registered by the apps that own them (the page is the workspace app's).

Each app registers its panels in its AppConfig.ready(); the workspace app renders
whatever is registered, slot by slot, in `order`. A domain app never imports the
workspace app: the registry is here, below every app that has a panel.

    from incidents import workspace

    workspace.register_panel(
        "mentions",
        slot="flow",                       # where on the page (SLOTS)
        order=60,                          # place in the slot (see the README for the taken places)
        template="monitoring/_mentions_card.html",   # included with the page's context...
        context=mentions_context,          # ...which this adds to: (request, incident, membership, page) -> dict
        title=_("Mentions"),               # a link in the page's jump bar (at `nav`), if given,
        nav=55,                            # to #<anchor> (default: the key)
        live=["mentions"],                 # the live events (panel names) that refresh it
        role=Role.MEMBER,                  # the least role that sees it (default: every member)
    )

- `render=` instead of `template=`: a function (request, incident, membership, page) -> HTML
  for a card that builds its own context (the checklist, the log's verification).
- `context=` alone (no template): data other parts of the page read (a form kept with its errors).
- `page` holds the forms given back to the page (`fact_form=...` with its errors) and what
  the panels registered before have put in (the crisis log's `pinned`, say).
- The panel's template refreshes itself: its outer element carries `hx-get` (its fragment URL,
  see incidents.panel_views.panel_fragment) and `hx-trigger="live:<name> from:body"`; a crisis-log
  kind names the panels its entries refresh (incidents.log_kinds), an event may name others.

Views that show the workspace again (a refused form, 4xx; a conflict, 409) call `render()`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.registry import Registry

# Where a panel goes on the page: the flow at the top (banners, summary, level, checklist...), the
# communication grid (claims, facts, statements), the side column, the main column (the crisis log).
SLOTS = ("flow", "comms", "side", "main")


@dataclass(frozen=True)
class Panel:
    key: str
    slot: str = ""
    order: int = 100
    template: str = ""
    render: Callable[..., str] | None = None
    context: Callable[..., dict] | None = None
    title: Any = ""
    nav: int | None = None
    anchor: str = ""
    live: tuple[str, ...] = ()
    role: str = ""


PANELS = Registry("workspace panels")


def register_panel(
    key: str,
    *,
    slot: str = "",
    order: int = 100,
    template: str = "",
    render: Callable[..., str] | None = None,
    context: Callable[..., dict] | None = None,
    title: Any = "",
    nav: int | None = None,
    anchor: str = "",
    live=None,
    role: str = "",
) -> Panel:
    if (template or render) and slot not in SLOTS:
        raise ImproperlyConfigured(f"Workspace panel {key!r}: slot must be one of {SLOTS}.")
    if template and render:
        raise ImproperlyConfigured(f"Workspace panel {key!r}: a template or a render function, not both.")
    return PANELS.register(
        key,
        Panel(
            key=key,
            slot=slot,
            order=order,
            template=template,
            render=render,
            context=context,
            title=title,
            nav=nav,
            anchor=anchor or key,
            live=tuple(live if live is not None else [key]),
            role=str(role),
        ),
    )


def panels() -> list[Panel]:
    """Every registered panel, in registration order (INSTALLED_APPS order: lower apps first)."""
    return list(PANELS.values())


# The page itself is drawn by the workspace app, which plugs in here (WorkspaceConfig.ready):
# the views of the apps below (a refused fact, a conflicting transition) show it again without
# importing it.
_page: list[Callable] = []


def register_page(render_page: Callable) -> None:
    _page[:] = [render_page]


def render(request, incident, membership, *, status: int = 200, template: str | None = None, **forms):
    """The workspace page (an HttpResponse): `forms` are refused forms shown with their errors;
    `template`: one part of the page only, with the page's context (the log panel to htmx)."""
    if not _page:
        raise ImproperlyConfigured("No workspace page is registered: add 'workspace' to INSTALLED_APPS.")
    return _page[0](request, incident, membership, status=status, template=template, **forms)
