"""Overdue items remind their assignee, then the managers. Safe to run twice, or after a crash:
each sending is claimed with a guarded UPDATE on (stage, next reminder time) in the same
transaction as its notifications, so a worker killed mid-way leaves it due (sent later),
and a second run finds it moved (sends nothing)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from . import integration, sla
from .models import OPEN_STATES, QueueItem

# Stage 1: the assignee (the managers when nobody has it); stage 2: the managers; then silence.
LAST_STAGE = 2


def due(now: datetime.datetime | None = None, limit: int = 100) -> list[tuple[int, int, datetime.datetime]]:
    now = now or timezone.now()
    return list(
        QueueItem.objects.filter(state__in=OPEN_STATES, next_reminder_at__lte=now, reminder_stage__lt=LAST_STAGE)
        .order_by("next_reminder_at", "pk")
        .values_list("pk", "reminder_stage", "next_reminder_at")[:limit]
    )


@transaction.atomic
def fire(*, item_id: int, stage: int, at: datetime.datetime) -> bool:
    """Send reminder `stage + 1` of the item if it is still as the caller saw it; True if this call sent it."""
    item = (
        QueueItem.objects.select_related("incident__cell", "mention", "assignee")
        .filter(pk=item_id, state__in=OPEN_STATES, reminder_stage=stage, next_reminder_at=at)
        .first()
    )
    if item is None:
        return False
    policy = sla.policy_for(item.incident.cell)
    new_stage = stage + 1
    following = None if new_stage >= LAST_STAGE else timezone.now() + sla.escalation_delay(policy, item.incident.level)
    claimed = QueueItem.objects.filter(pk=item.pk, reminder_stage=stage, next_reminder_at=at).update(
        reminder_stage=new_stage, next_reminder_at=following
    )
    if not claimed:
        return False
    to_managers = new_stage >= 2 or item.assignee is None
    recipients = list(integration.managers_of(item.incident.cell)) if to_managers else [item.assignee]
    integration.notify(
        users=recipients,
        cell=item.incident.cell,
        incident=item.incident,
        kind="escalation" if to_managers and new_stage >= 2 else "reminder",
        wording="response.overdue",
        params={
            "incident": item.incident.title,
            "due": item.due_at.isoformat(),
            "text": Truncator(item.mention.text).chars(200),
            "escalated": new_stage >= 2,
        },
        link=integration.item_url(item),
        dedupe_key=f"response-overdue:{item.pk}",
        occurrence=str(new_stage),
    )
    integration.log(
        incident=item.incident,
        actor=None,
        action="overdue_reminder",
        item=item.pk,
        stage=new_stage,
        recipients=sorted(user.pk for user in recipients if user is not None),
    )
    return True
