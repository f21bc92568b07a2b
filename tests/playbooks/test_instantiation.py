"""When an incident reaches a level, that level's tasks and drafts are created once."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict
from incidents import services as incidents
from incidents.models import LogEntry
from playbooks import services
from playbooks.models import IncidentPlaybook, LevelRun, PlaybookLogKind, PlaybookVersion, RotaSlot, Task
from statements.models import Statement, StatementVersion, VersionStatus

from ..factories import MembershipFactory, UserFactory
from .helpers import CONTENT, save_playbook

pytestmark = pytest.mark.django_db


def move(actor, incident, to):
    return incidents.incident_transition(actor=actor, incident=incident, to_level=to, reason=f"to {to}")


def test_saving_a_playbook_makes_versions_and_identical_content_is_no_new_version(cell, manager):
    first = save_playbook(manager, cell)
    assert first.number == 1
    assert save_playbook(manager, cell).pk == first.pk
    changed = {**CONTENT, "levels": {"watch": {"tasks": [{"title": "Surveiller"}]}}}
    second = save_playbook(manager, cell, changed)
    assert second.number == 2
    assert PlaybookVersion.objects.filter(playbook=first.playbook).count() == 2


def test_an_invalid_playbook_is_refused_with_each_place(cell, manager):
    bad = {"crisis_type": "nope", "levels": {"crisis": {"tasks": [{"due_minutes": -1}], "oops": 1}}}
    with pytest.raises(ValidationError) as error:
        services.playbook_save(actor=manager, cell=cell, content=bad)
    places = error.value.message_dict
    assert {"crisis_type", "name", "levels.crisis.oops", "levels.crisis.tasks[0].title"} <= set(places)
    assert "levels.crisis.tasks[0].due_minutes" in places


def test_reaching_a_level_creates_its_tasks_and_drafts_once(cell, users, incident):
    manager = users["manager"]
    save_playbook(manager, cell)
    move(manager, incident, "alert")
    alert_tasks = Task.objects.filter(incident=incident, level="alert")
    assert [t.title for t in alert_tasks] == ["Trouver la source de la rumeur", "Prévenir la direction"]
    # A person named gets it; a role with several people (max, mia) goes to the first by name.
    assert [t.assignee.username for t in alert_tasks] == ["max", "mona"]
    assert all(t.due_at is not None for t in alert_tasks)
    move(manager, incident, "crisis")
    move(manager, incident, "alert")
    move(manager, incident, "crisis")
    assert Task.objects.filter(incident=incident, level="alert").count() == 2
    assert Task.objects.filter(incident=incident, level="crisis").count() == 3
    assert LevelRun.objects.filter(incident=incident).count() == 2
    # The holding statement is a draft of the statements workflow: nothing goes out unreviewed.
    drafts = Statement.objects.filter(incident=incident)
    assert drafts.count() == 1
    assert StatementVersion.objects.get(statement=drafts.get()).status == VersionStatus.DRAFT
    applied = LogEntry.objects.filter(incident=incident, kind=PlaybookLogKind.PLAYBOOK)
    assert [e.data["level"] for e in applied.order_by("seq")] == ["alert", "crisis"]
    assert IncidentPlaybook.objects.get(incident=incident).version.number == 1


def test_the_incident_keeps_the_version_it_started_with(cell, users, incident):
    manager = users["manager"]
    save_playbook(manager, cell)
    move(manager, incident, "alert")
    changed = {**CONTENT, "levels": {**CONTENT["levels"], "crisis": {"tasks": [{"title": "Nouvelle tâche"}]}}}
    save_playbook(manager, cell, changed)
    move(manager, incident, "crisis")
    assert Task.objects.filter(incident=incident, level="crisis").first().title == "Réunir la cellule"


def test_no_playbook_no_tasks(cell, users, incident):
    move(users["manager"], incident, "alert")
    assert not Task.objects.filter(incident=incident).exists()
    assert not LevelRun.objects.exists()


def test_a_manager_may_apply_a_level_again_on_purpose(cell, users, incident):
    manager = users["manager"]
    save_playbook(manager, cell)
    move(manager, incident, "alert")
    with pytest.raises(Conflict):
        services.level_apply(actor=manager, incident=incident, level="alert")
    run = services.level_apply(actor=manager, incident=incident, level="alert", again=True)
    assert run.round == 2
    assert Task.objects.filter(incident=incident, level="alert").count() == 4
    # The level the incident was opened at: applied by hand the first time, no "again" needed.
    assert services.level_apply(actor=manager, incident=incident, level="watch").round == 1


def test_a_member_may_not_apply_a_level(cell, users, incident):
    save_playbook(users["manager"], cell)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.level_apply(actor=users["member"], incident=incident, level="alert")


def test_the_on_call_member_gets_a_role_task_first(cell, users, incident):
    from datetime import timedelta

    from django.utils import timezone

    manager = users["manager"]
    save_playbook(manager, cell)
    now = timezone.now()
    RotaSlot.objects.create(
        cell=cell, user=users["member2"], starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    second_manager = MembershipFactory(cell=cell, user=UserFactory(username="anna"), role="manager").user
    move(manager, incident, "alert")
    move(manager, incident, "crisis")
    titles = {t.title: t.assignee for t in Task.objects.filter(incident=incident)}
    assert titles["Trouver la source de la rumeur"] == users["member2"]  # on call, among max and mia
    # Two managers, none on call: the first by name.
    assert titles["Réunir la cellule"] == second_manager
    assert titles["Brief du standard"] is None  # no role, no person: whoever takes it
