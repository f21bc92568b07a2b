"""Drills: start, delivery exactly once, pause/resume, end and scorecard, scenario import, permissions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from drills import services
from drills.models import Drill, DrillLogKind, Inject, Scenario
from incidents import services as incidents
from incidents.models import LogEntry
from notifications.models import Notification
from playbooks import yamlio

from .helpers import SCENARIO

pytestmark = pytest.mark.django_db
SEC = datetime.timedelta(seconds=1)


@pytest.fixture
def scenario(cell, users):
    return services.scenario_save(actor=users["manager"], cell=cell, content=SCENARIO)


def deliver_due():
    return sum(services.deliver(inject_id=pk, due_at=due) for pk, due in services.due())


def test_a_drill_is_an_exercise_incident_with_its_injects_planned(scenario, users):
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    assert drill.incident.is_exercise and drill.incident.title.startswith("EXERCICE / EXERCISE")
    offsets = [(i.offset, (i.due_at - drill.started_at).total_seconds()) for i in drill.injects.order_by("position")]
    assert offsets == [(0, 0), (60, 60), (120, 120)]


def test_injects_are_delivered_once_each(scenario, users):
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    assert deliver_due() == 1  # the one at +0 s
    assert deliver_due() == 0
    Inject.objects.filter(drill=drill).update(due_at=timezone.now() - SEC)
    pending = services.due()
    assert len(pending) == 2
    assert [services.deliver(inject_id=pk, due_at=due) for pk, due in pending] == [True, True]
    # A second worker or a redelivery with the same view of the row: nothing more.
    assert [services.deliver(inject_id=pk, due_at=due) for pk, due in pending] == [False, False]
    entries = LogEntry.objects.filter(incident=drill.incident, kind=DrillLogKind.DRILL, data__action="inject")
    assert entries.count() == 3
    # The rumour is in the claims register; the question reached every member, marked as an exercise.
    assert drill.incident.claims.get().text == "Le produit serait rappelé"
    question = Notification.objects.filter(data__inject__isnull=False)
    assert question.count() == 5 and all(n.title.startswith("EXERCICE / EXERCISE") for n in question)


def test_pause_and_resume_shift_what_is_left(scenario, users):
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    deliver_due()
    drill = services.drill_pause(actor=users["manager"], drill=drill)
    assert services.due(now=timezone.now() + datetime.timedelta(hours=1)) == []  # nothing is due while paused
    with pytest.raises(Conflict):
        services.drill_pause(actor=users["manager"], drill=drill)
    Drill.objects.filter(pk=drill.pk).update(elapsed=50)  # 50 s had run before the pause
    drill = services.drill_resume(actor=users["manager"], drill=Drill.objects.get(pk=drill.pk))
    left = {i.offset: (i.due_at - drill.resumed_at).total_seconds() for i in drill.injects.filter(status="pending")}
    assert left == {60: 10, 120: 70}


def test_end_skips_the_rest_and_keeps_a_scorecard(scenario, users):
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    Inject.objects.filter(drill=drill, offset__lte=60).update(due_at=timezone.now() - SEC)
    deliver_due()
    incidents.log_entry_add(actor=users["member"], incident=drill.incident, text="On rappelle le journaliste")
    drill = services.drill_end(actor=users["manager"], drill=drill)
    assert drill.status == "ended"
    assert list(drill.injects.values_list("status", flat=True).order_by("position")) == [
        "delivered",
        "delivered",
        "skipped",
    ]
    card = Drill.objects.get(pk=drill.pk).scorecard
    assert card["injects_delivered"] == 2 and card["injects_planned"] == 3
    assert card["injects_answered"] >= 1
    with pytest.raises(Conflict):
        services.drill_resume(actor=users["manager"], drill=drill)


def test_only_the_leader_or_a_manager_controls_the_drill(scenario, users):
    from django.core.exceptions import PermissionDenied

    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    with pytest.raises(PermissionDenied):
        services.drill_pause(actor=users["member"], drill=drill)
    with pytest.raises(PermissionDenied):
        services.drill_start(actor=users["member"], scenario=scenario)


def test_an_invalid_scenario_is_refused_by_place(cell, users):
    with pytest.raises(ValidationError) as error:
        services.scenario_save(
            actor=users["manager"], cell=cell, content={"name": "x", "injects": [{"at": -1, "kind": "tweet"}]}
        )
    assert {"crisis_type", "injects[0].at", "injects[0].kind", "injects[0].text"} <= set(error.value.message_dict)


def test_scenario_yaml_import_line_by_line(cell, users):
    text = (
        "scenarios:\n"
        "  - name: Rumeur\n"
        "    crisis_type: rumour\n"
        "    injects:\n"
        "      - at: 10\n"
        "        kind: tweet\n"
        "        text: Un tweet\n"
        "      - at: later\n"
        "        kind: log\n"
    )
    with pytest.raises(yamlio.ImportRefused) as refused:
        services.scenarios_import(actor=users["manager"], cell=cell, text=text)
    assert [(e.line, e.field) for e in refused.value.errors] == [
        (6, "scenarios[0].injects[0].kind"),
        (8, "scenarios[0].injects[1].at"),
        (8, "scenarios[0].injects[1].text"),
    ]
    assert not Scenario.objects.exists()
    good = (
        "scenarios:\n  - name: Rumeur\n    crisis_type: rumour\n"
        "    injects:\n      - {at: 10, kind: log, text: Un appel}\n"
    )
    assert [s.name for s in services.scenarios_import(actor=users["manager"], cell=cell, text=good)] == ["Rumeur"]


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403), ("manager", 201)])
def test_start_through_the_api(api, users, cell, scenario, who, expected):
    response = api(users[who]).post(f"/api/v1/cells/{cell.pk}/drills/", {"scenario": scenario.pk}, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        drill = response.json()
        url = f"/api/v1/cells/{cell.pk}/drills/{drill['id']}/control/"
        assert api(users["member"]).post(url, {"action": "pause"}, format="json").status_code == 403
        assert api(users[who]).post(url, {"action": "pause"}, format="json").json()["status"] == "paused"
        assert api(users[who]).post(url, {"action": "pause"}, format="json").status_code == 409
        assert api(users["observer"]).get(f"/api/v1/cells/{cell.pk}/drills/").json()["count"] == 1


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("manager", 200)])
def test_drill_pages(client, users, cell, scenario, who, expected):
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    client.force_login(users[who])
    assert client.get(reverse("drills:cell", args=[cell.pk])).status_code == expected
    response = client.get(reverse("drills:detail", args=[drill.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "exercice" in response.content.decode().lower()
    control = client.post(reverse("drills:control", args=[drill.pk]), {"action": "pause"})
    assert control.status_code == {"outsider": 404, "observer": 403, "manager": 302}[who]


def test_the_scorecard_sits_beside_the_previous_drill_of_the_scenario(client, scenario, users):
    first = services.drill_end(
        actor=users["manager"], drill=services.drill_start(actor=users["manager"], scenario=scenario)
    )
    second = services.drill_start(actor=users["manager"], scenario=scenario)
    Inject.objects.filter(drill=second, offset=0).update(due_at=timezone.now() - SEC)
    deliver_due()
    second = services.drill_end(actor=users["manager"], drill=second)
    client.force_login(users["observer"])
    html = client.get(reverse("drills:detail", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("drills:detail", args=[first.pk]) in html and "Previous drill" in html
    assert "0 / 1" in html and "0 / 0" in html  # injects answered / delivered: this one, the previous one
    html = client.get(reverse("drills:detail", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Previous drill" not in html
