"""Activation of the cell: automatic once at the cell's level, by hand, acknowledgements, reminders, digests."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import Conflict
from incidents import services as incidents
from incidents.models import LogEntry
from notifications import wording
from notifications.models import Notification
from playbooks import activation, reminding, services
from playbooks.models import Acknowledgement, AckStatus, Activation, DigestSchedule, PlaybookLogKind, Preparedness, Task
from tests.facts.helpers import eager_celery

pytestmark = pytest.mark.django_db
MIN = datetime.timedelta(minutes=1)


def move(actor, incident, to):
    return incidents.incident_transition(actor=actor, incident=incident, to_level=to, reason=f"to {to}")


def test_reaching_crisis_activates_the_cell_once(users, incident):
    manager = users["manager"]
    move(manager, incident, "alert")
    assert not Activation.objects.exists()  # the default activation level is crisis
    move(manager, incident, "crisis")
    move(manager, incident, "alert")
    move(manager, incident, "crisis")
    [act] = Activation.objects.all()
    assert act.level == "crisis" and not act.manual
    # Every member of the cell, observer included, is asked; nobody outside it.
    asked = set(Acknowledgement.objects.filter(activation=act).values_list("user__username", flat=True))
    assert asked == {"alice", "mona", "max", "mia", "olga"}
    notices = Notification.objects.filter(data__activation=act.pk)
    assert notices.count() == 5 and notices.first().link == reverse("playbooks:ack", args=[incident.pk, act.pk])
    assert (
        LogEntry.objects.filter(incident=incident, kind=PlaybookLogKind.ACTIVATION, data__action="activated").count()
        == 1
    )
    assert DigestSchedule.objects.filter(incident=incident).exists()


def test_activation_notices_read_in_the_readers_language(users, incident):
    """Stored in the cell's default language (French), worded again for each reader (issue 11)."""
    activation.activate_by_hand(actor=users["manager"], incident=incident, message="Salle B, 10 h")
    notice = Notification.objects.filter(data__activation__isnull=False).first()
    assert notice.title == f"La cellule de crise est activée : {incident.title}"
    with translation.override("en"):
        title, body = wording.shown(Notification.objects.get(pk=notice.pk))
    assert title == f"The crisis cell is activated: {incident.title}"
    assert body == (
        "Salle B, 10 h\n\nSay whether you are on it: open the link and answer “I'm on it” or “Unavailable”."
    )
    with translation.override("fr"):
        assert wording.shown(Notification.objects.get(pk=notice.pk))[0] == notice.title


def test_a_cell_may_activate_at_alert(cell, users, incident):
    Preparedness.objects.create(cell=cell, activation_level="alert")
    move(users["member"], incident, "alert")
    assert Activation.objects.get().level == "alert"
    move(users["manager"], incident, "crisis")
    assert Activation.objects.count() == 1


def test_an_exercise_says_so_in_every_notification(users, incident):
    incidents.incident_update(actor=users["member"], incident=incident, is_exercise=True)
    move(users["manager"], incident, "crisis")
    titles = set(Notification.objects.filter(data__activation__isnull=False).values_list("title", flat=True))
    assert titles and all(title.startswith("EXERCICE / EXERCISE") for title in titles)


def test_a_manager_activates_by_hand_with_a_message(users, incident):
    with pytest.raises(PermissionDenied):
        activation.activate_by_hand(actor=users["member"], incident=incident, message="Venez")
    with pytest.raises(ValidationError):
        activation.activate_by_hand(actor=users["manager"], incident=incident, message="  ")
    act = activation.activate_by_hand(actor=users["manager"], incident=incident, message="Salle B, 10 h")
    assert act.manual and act.level == "watch"
    assert LogEntry.objects.get(incident=incident, kind=PlaybookLogKind.ACTIVATION).text == "Salle B, 10 h"


def test_acknowledging(users, incident):
    act = activation.activate_by_hand(actor=users["manager"], incident=incident, message="Venez")
    ack = activation.acknowledge(actor=users["member"], activation=act, answer="on_it", note="J'arrive")
    assert ack.status == AckStatus.ON_IT and ack.remind_at is None and ack.answered_at
    with pytest.raises(Conflict):
        activation.acknowledge(actor=users["member"], activation=act, answer="on_it")
    assert activation.acknowledge(actor=users["member"], activation=act, answer="unavailable").status == "unavailable"
    with pytest.raises(ValidationError):
        activation.acknowledge(actor=users["member2"], activation=act, answer="maybe")
    from django.http import Http404

    with pytest.raises(Http404):
        activation.acknowledge(actor=users["outsider"], activation=act, answer="on_it")
    answers = LogEntry.objects.filter(incident=incident, kind=PlaybookLogKind.ACTIVATION, data__action="acknowledged")
    assert [e.data["answer"] for e in answers.order_by("seq")] == ["on_it", "unavailable"]


def test_the_unacknowledged_are_reminded_then_the_managers_told(cell, users, incident):
    Preparedness.objects.create(cell=cell, escalate_after=1)
    act = activation.activate_by_hand(actor=users["manager"], incident=incident, message="Venez")
    for user in ("admin", "manager", "member2", "observer"):
        activation.acknowledge(actor=users[user], activation=act, answer="on_it")
    Acknowledgement.objects.filter(activation=act).update(remind_at=timezone.now() - MIN)
    [(ack_id, due)] = activation.due_acks()
    assert activation.remind_ack(ack_id=ack_id, due_at=due) is True
    assert activation.remind_ack(ack_id=ack_id, due_at=due) is False  # the same sending, again: nothing
    ack = Acknowledgement.objects.get(pk=ack_id)
    assert ack.user == users["member"] and ack.misses == 1
    Acknowledgement.objects.filter(pk=ack_id).update(remind_at=timezone.now() - MIN)
    [(ack_id, due)] = activation.due_acks()
    assert activation.remind_ack(ack_id=ack_id, due_at=due) is True
    told = Notification.objects.filter(dedupe_key=f"ack-escalation:{ack_id}")
    assert set(told.values_list("user__username", flat=True)) == {"alice", "mona"}
    actions = LogEntry.objects.filter(incident=incident, data__action__in=["ack_reminded", "ack_escalated"])
    assert [e.data["action"] for e in actions.order_by("seq")] == ["ack_reminded", "ack_escalated"]


def test_an_overdue_task_reminds_its_assignee_then_the_managers(cell, users, incident):
    Preparedness.objects.create(cell=cell, escalate_after=1, task_remind_minutes=5)
    task = services.task_create(
        actor=users["member"], incident=incident, title="Appeler", assignee=users["member2"], due_at=timezone.now()
    )
    Task.objects.filter(pk=task.pk).update(remind_at=timezone.now() - MIN)
    [(task_id, due)] = reminding.due_tasks()
    assert reminding.remind_task(task_id=task_id, due_at=due)
    assert not reminding.remind_task(task_id=task_id, due_at=due)
    notice = Notification.objects.get(dedupe_key=f"task:{task.pk}")
    assert notice.user == users["member2"]
    Task.objects.filter(pk=task.pk).update(remind_at=timezone.now() - MIN)
    [(task_id, due)] = reminding.due_tasks()
    assert reminding.remind_task(task_id=task_id, due_at=due)
    # One notice per person, updated by each sending: the assignee's counts two.
    assert Notification.objects.get(dedupe_key=f"task:{task.pk}", user=users["member2"]).count == 2
    assert set(Notification.objects.filter(dedupe_key=f"task:{task.pk}").values_list("user__username", flat=True)) == {
        "mia",
        "alice",
        "mona",
    }
    # Done: nothing more to remind.
    services.task_move(actor=users["member2"], task=Task.objects.get(pk=task.pk), to="done")
    assert reminding.due_tasks() == []


def test_the_digest_lists_each_members_open_tasks_and_comes_back(cell, users, incident):
    Preparedness.objects.create(cell=cell, digest_hours=3)
    services.task_create(actor=users["member"], incident=incident, title="A", assignee=users["member"])
    services.task_create(actor=users["member"], incident=incident, title="B", assignee=users["member"])
    services.task_create(actor=users["member"], incident=incident, title="C", assignee=users["member2"])
    move(users["manager"], incident, "crisis")
    [(schedule_id, due)] = reminding.due_digests()
    assert reminding.send_digest(schedule_id=schedule_id, due_at=due)
    assert not reminding.send_digest(schedule_id=schedule_id, due_at=due)
    digests = Notification.objects.filter(dedupe_key=f"digest:{incident.pk}")
    assert {d.user.username: d.body for d in digests} == {"max": "- A\n- B", "mia": "- C"}
    schedule = DigestSchedule.objects.get(pk=schedule_id)
    assert schedule.next_at > timezone.now() + datetime.timedelta(hours=2, minutes=59)
    assert reminding.due_digests() == []


def test_activation_emails_go_out(users, incident, django_capture_on_commit_callbacks):
    # Celery's app reads its conf once: the Django setting changed here would not reach it.
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        activation.activate_by_hand(actor=users["manager"], incident=incident, message="Venez")
    assert len(mail.outbox) >= 5
