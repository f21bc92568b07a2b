"""The workspace draws whatever the apps registered (incidents.workspace, issue 11): a new app's
panel appears in its slot and the jump bar without editing the page, and only for the roles given."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.html import escape

from cells.models import Role
from incidents import workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_panels():
    """Panels registered for one test only (the registry is filled once per process)."""
    before = dict(workspace.PANELS.items())
    yield
    workspace.PANELS._entries = before


def _page(client, user, incident) -> str:
    client.force_login(user)
    response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _probe(request, incident, membership, page) -> str:
    return f'<section id="probe">{escape(page["probe_says"])}</section>'


def test_a_registered_panel_is_drawn_in_its_slot_and_the_jump_bar(client, users, incident, extra_panels):
    workspace.register_panel(
        "probe",
        slot="side",
        order=35,  # between the chat (30) and the level history (40)
        render=lambda request, incident, membership, page: (
            f'<section id="probe">{escape(page["probe_says"])}</section>'
        ),
        context=lambda request, incident, membership, page: {"probe_says": f"<b>{incident.title}</b>"},
        title="Probe",
        nav=55,
    )
    html = _page(client, users["observer"], incident)
    assert f'<section id="probe">{escape("<b>" + incident.title + "</b>")}</section>' in html
    assert html.index('id="chat"') < html.index('id="probe"') < html.index('id="level-history"')
    nav = html[html.index('class="ws-jump"') :].split("</nav>")[0]
    assert nav.index('href="#log-panel"') < nav.index('href="#probe"') < nav.index('href="#chat"')


def test_a_panel_with_a_role_is_hidden_from_weaker_roles(client, users, incident, extra_panels):
    workspace.register_panel(
        "managers-only",
        slot="flow",
        order=60,
        render=lambda request, incident, membership, page: '<p id="managers-only">for managers</p>',
        role=Role.MANAGER,
    )
    assert 'id="managers-only"' in _page(client, users["manager"], incident)
    assert 'id="managers-only"' not in _page(client, users["member"], incident)


def test_a_panel_needs_a_known_slot_and_one_way_to_draw():
    with pytest.raises(ImproperlyConfigured):
        workspace.register_panel("nowhere", slot="attic", template="x.html")
    with pytest.raises(ImproperlyConfigured):
        workspace.register_panel("both", slot="side", template="x.html", render=lambda *args: "")
    assert "nowhere" not in workspace.PANELS and "both" not in workspace.PANELS


def test_every_part_of_the_page_is_a_registered_panel():
    drawn = {panel.key: (panel.slot, panel.order) for panel in workspace.panels() if panel.slot}
    # The apps above add theirs (monitoring's mentions...): these are the places they fit between.
    assert (
        drawn.items()
        >= {
            "needs-review": ("flow", 10),
            "glance": ("flow", 20),
            "level-track": ("flow", 30),
            "activation": ("flow", 40),
            "tasks": ("flow", 50),
            "claims": ("comms", 10),
            "facts": ("comms", 20),
            "statements": ("comms", 30),
            "summary": ("side", 10),
            "transitions": ("side", 20),
            "chat": ("side", 30),
            "level-history": ("side", 40),
            "log-verification": ("side", 50),
            "log": ("main", 10),
        }.items()
    )
