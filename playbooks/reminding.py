"""Overdue tasks remind their assignee, then the managers; digests of open tasks to every member.

Every open task with a due time is armed (`remind_at`), assigned or not: the moment it falls due,
the open checklists hear of it and show it overdue (the workspace's live panels).

As the review reminders (reminders.services): the due time is stored on the row
(`Task.remind_at`, `DigestSchedule.next_at`), the beat job selects what is due, and
each sending is claimed with a conditional update on the due time it saw, in the
same transaction as its notifications and log entry: never twice, never lost.
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from incidents.models import Level

from . import integration
from .activation import settings_for
from .models import OPEN_TASK_STATUSES, DigestSchedule, PlaybookLogKind, Task


def due_tasks(now=None, limit: int = 100) -> list[tuple[int, datetime.datetime]]:
    now = now or timezone.now()
    return list(
        Task.objects.filter(remind_at__lte=now, status__in=OPEN_TASK_STATUSES)
        .order_by("remind_at", "id")
        .values_list("pk", "remind_at")[:limit]
    )


@transaction.atomic
def remind_task(*, task_id: int, due_at) -> bool:
    now = timezone.now()
    task = (
        Task.objects.select_related("incident__cell", "assignee")
        .filter(pk=task_id, remind_at=due_at, remind_at__lte=now, status__in=OPEN_TASK_STATUSES)
        .first()
    )
    if task is None:
        return False
    guard = {"pk": task.pk, "remind_at": due_at, "remind_generation": task.remind_generation}
    if task.incident.level == Level.CLOSED:
        Task.objects.filter(**guard).update(remind_at=None)
        return False
    if task.assignee_id is None:
        # Nobody to remind, but the open checklists must show it overdue now, not at their next render
        # (an assigned task's reminder is a log entry, which refreshes them too). Once: claimed.
        if Task.objects.filter(**guard).update(remind_at=None):
            integration.task_changed(task, None, "overdue")
        return False
    prefs = settings_for(task.incident.cell_id)
    claimed = Task.objects.filter(**guard, remind_misses=task.remind_misses).update(
        remind_at=now + datetime.timedelta(minutes=prefs.task_remind_minutes), remind_misses=F("remind_misses") + 1
    )
    if not claimed:
        return False
    task.remind_misses += 1
    escalated = task.remind_misses > prefs.escalate_after
    recipients = integration.notify_task_overdue(task, escalated=escalated)
    integration.log_task(
        task,
        None,
        "escalated" if escalated else "reminded",
        occurrence=task.remind_misses,
        recipients=sorted(user.pk for user in recipients),
    )
    return True


def due_digests(now=None, limit: int = 50) -> list[tuple[int, datetime.datetime]]:
    now = now or timezone.now()
    return list(
        DigestSchedule.objects.filter(next_at__lte=now).order_by("next_at").values_list("pk", "next_at")[:limit]
    )


@transaction.atomic
def send_digest(*, schedule_id: int, due_at) -> bool:
    """Each member with open tasks on the incident gets the list; the next digest is scheduled."""
    now = timezone.now()
    schedule = DigestSchedule.objects.select_related("incident__cell").filter(pk=schedule_id, next_at=due_at).first()
    if schedule is None:
        return False
    incident = schedule.incident
    if incident.level == Level.CLOSED:
        DigestSchedule.objects.filter(pk=schedule.pk, next_at=due_at).delete()
        return False
    hours = settings_for(incident.cell_id).digest_hours
    claimed = DigestSchedule.objects.filter(pk=schedule.pk, next_at=due_at).update(
        next_at=now + datetime.timedelta(hours=hours), sent=F("sent") + 1
    )
    if not claimed:
        return False
    by_user: dict[int, list[Task]] = {}
    for task in Task.objects.filter(incident=incident, status__in=OPEN_TASK_STATUSES, assignee__isnull=False).order_by(
        F("due_at").asc(nulls_last=True), "position"
    ):
        by_user.setdefault(task.assignee_id, []).append(task)
    integration.notify_digest(incident, by_user, occurrence=schedule.sent + 1)
    if by_user:
        integration.log(
            incident=incident,
            kind=PlaybookLogKind.TASK,
            actor=None,
            action="digest",
            occurrence=schedule.sent + 1,
            members=len(by_user),
            tasks=sum(len(tasks) for tasks in by_user.values()),
        )
    return True
