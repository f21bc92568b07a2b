"""The overdue badge is live: when a task falls due, the open checklists hear of it (the workspace's
live events refresh the `tasks` panel), assigned or not, once per due time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import IncidentEvent
from playbooks import reminding, services
from playbooks.models import Task

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def refreshing_tasks(incident):
    return [
        e
        for e in IncidentEvent.objects.filter(incident=incident).order_by("seq")
        if "tasks" in e.data.get("panels", [])
    ]


def test_an_unassigned_task_falling_due_refreshes_the_checklist_once(client, users, incident):
    task = services.task_create(
        actor=users["member"], incident=incident, title="Prévenir le standard", due_at=timezone.now() + MIN
    )
    assert task.remind_at == task.due_at  # armed though nobody holds it
    client.force_login(users["observer"])
    panel = reverse("playbooks:panel", args=[incident.pk])
    assert "task-todo overdue" not in client.get(panel).content.decode()

    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - MIN, remind_at=timezone.now() - MIN)
    before = len(refreshing_tasks(incident))
    [(task_id, due)] = reminding.due_tasks()
    assert reminding.remind_task(task_id=task_id, due_at=due) is False  # nobody to remind...
    events = refreshing_tasks(incident)
    assert len(events) == before + 1 and events[-1].type == "task.overdue"  # ...but the pages hear of it
    assert reminding.due_tasks() == []
    assert reminding.remind_task(task_id=task_id, due_at=due) is False
    assert len(refreshing_tasks(incident)) == before + 1  # once
    assert "task-todo overdue" in client.get(panel).content.decode()


def test_an_assigned_task_falling_due_refreshes_the_checklist_with_its_reminder(users, incident):
    task = services.task_create(
        actor=users["member"], incident=incident, title="Appeler l'AFP", assignee=users["member"], due_at=timezone.now()
    )
    Task.objects.filter(pk=task.pk).update(remind_at=timezone.now() - MIN)
    before = len(refreshing_tasks(incident))
    [(task_id, due)] = reminding.due_tasks()
    assert reminding.remind_task(task_id=task_id, due_at=due) is True
    assert len(refreshing_tasks(incident)) == before + 1


def test_a_new_due_time_rearms_the_badge_of_an_unassigned_task(users, incident):
    task = services.task_create(actor=users["member"], incident=incident, title="Point presse")
    assert task.remind_at is None  # no due time, nothing to watch
    later = timezone.now() + 10 * MIN
    edited = services.task_update(actor=users["member"], task=task, due_at=later)
    assert edited.remind_at == later
