"""The demo cell's playbooks, checklist, rota and drill scenario: the preparedness pages are not empty."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cells.models import Cell
from drills.models import Scenario
from incidents.models import Incident
from playbooks.models import IncidentPlaybook, Playbook, RotaSlot, Task

from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())
    return Cell.objects.get(name="Démo — Maison Durand")


def test_the_demo_has_playbooks_a_checklist_a_rota_and_a_scenario(loaded, client):
    assert set(Playbook.objects.filter(cell=loaded).values_list("crisis_type", flat=True)) == {"rumour", "product"}
    rumour = Incident.objects.get(cell=loaded, title__startswith="Rumeur")
    assert IncidentPlaybook.objects.get(incident=rumour).version.playbook.crisis_type == "rumour"
    tasks = Task.objects.filter(incident=rumour, level="alert")
    assert tasks.count() == 3
    assert set(tasks.values_list("status", flat=True)) == {"done", "doing", "todo"}
    assert all(task.assignee_id for task in tasks)
    assert RotaSlot.objects.filter(cell=loaded).count() == 2
    scenario = Scenario.objects.get(cell=loaded)
    assert scenario.crisis_type == "rumour" and len(scenario.injects) >= 5

    client.force_login(loaded.memberships.get(role="manager").user)
    pages = [
        reverse("playbooks:cell", args=[loaded.pk]),
        reverse("playbooks:settings", args=[loaded.pk]),
        reverse("drills:cell", args=[loaded.pk]),
        reverse("incidents:detail", args=[rumour.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert "Défaut produit" in client.get(pages[0]).content.decode()
    assert "faux rappel" in client.get(pages[2]).content.decode()
    # Loading again adds nothing.
    call_command("load_demo", stdout=io.StringIO())
    assert Task.objects.filter(incident=rumour).count() == 3
    assert Scenario.objects.filter(cell=loaded).count() == 1 and RotaSlot.objects.filter(cell=loaded).count() == 2
