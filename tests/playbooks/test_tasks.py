"""The task workflow: todo → doing → done | cancelled, guarded, in the crisis log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import Conflict
from incidents.models import LogEntry
from playbooks import services
from playbooks.models import PlaybookLogKind, Task, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(incident, users):
    return services.task_create(
        actor=users["member"],
        incident=incident,
        title="Appeler le service juridique",
        assignee=users["member2"],
        due_at=timezone.now() + datetime.timedelta(minutes=20),
    )


def test_a_task_added_by_hand_is_logged_and_armed(task, incident):
    assert task.status == TaskStatus.TODO
    assert task.remind_at == task.due_at
    entry = LogEntry.objects.filter(incident=incident, kind=PlaybookLogKind.TASK).get()
    assert entry.data == {"action": "added", "task": task.pk}


def test_todo_doing_done_and_the_log_keeps_done(task, users, incident):
    task = services.task_move(actor=users["member2"], task=task, to="doing")
    assert not LogEntry.objects.filter(incident=incident, kind=PlaybookLogKind.TASK, data__action="started").exists()
    task = services.task_move(actor=users["member2"], task=task, to="done", note="Juriste prévenu")
    assert task.status == TaskStatus.DONE and task.finished_by == users["member2"]
    assert task.remind_at is None  # nothing to remind about any more
    done = LogEntry.objects.get(incident=incident, kind=PlaybookLogKind.TASK, data__action="done")
    assert done.data["on_time"] is True and done.data["note"] == "Juriste prévenu"


def test_cancelled_is_logged_and_a_finished_task_cannot_be_ticked(task, users, incident):
    services.task_move(actor=users["member"], task=task, to="cancelled")
    assert LogEntry.objects.filter(incident=incident, kind=PlaybookLogKind.TASK, data__action="cancelled").exists()
    with pytest.raises(ValidationError) as error:
        services.task_move(actor=users["member"], task=Task.objects.get(pk=task.pk), to="done")
    assert "to" in error.value.message_dict


def test_two_people_ticking_at_once_one_wins(task, users):
    stale = Task.objects.get(pk=task.pk)
    services.task_move(actor=users["member"], task=task, to="done")
    with pytest.raises(Conflict) as error:
        services.task_move(actor=users["member2"], task=stale, to="cancelled")
    assert error.value.current["status"] == "done"


def test_only_the_closer_or_a_manager_reopens(task, users):
    services.task_move(actor=users["member"], task=task, to="done")
    with pytest.raises(PermissionDenied):
        services.task_move(actor=users["member2"], task=Task.objects.get(pk=task.pk), to="todo")
    reopened = services.task_move(actor=users["manager"], task=Task.objects.get(pk=task.pk), to="todo")
    assert reopened.status == TaskStatus.TODO and reopened.remind_at == reopened.due_at


def test_observers_and_outsiders_cannot_touch_tasks(task, users, incident):
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        services.task_move(actor=users["observer"], task=task, to="done")
    with pytest.raises(Http404):
        services.task_move(actor=users["outsider"], task=task, to="done")
    with pytest.raises(PermissionDenied):
        services.task_create(actor=users["observer"], incident=incident, title="x")


def test_an_assignee_outside_the_cell_is_refused(incident, users):
    with pytest.raises(ValidationError):
        services.task_create(actor=users["member"], incident=incident, title="x", assignee=users["outsider"])


def test_taking_an_unassigned_task_makes_it_yours(incident, users):
    task = services.task_create(actor=users["member"], incident=incident, title="Sans responsable")
    task = services.task_move(actor=users["member2"], task=task, to="doing")
    assert task.assignee == users["member2"]


def test_edit_is_guarded_by_revision_and_rearms_the_reminder(task, users):
    later = timezone.now() + datetime.timedelta(hours=2)
    edited = services.task_update(actor=users["member"], task=task, expected_revision=1, due_at=later)
    assert edited.remind_at == later and edited.remind_generation == 2
    with pytest.raises(Conflict):
        services.task_update(actor=users["member"], task=edited, expected_revision=1, title="Autre")
