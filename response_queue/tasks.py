"""Beat jobs of the response queue: rules over new mentions, overdue reminders. Both idempotent."""

import logging

from celery import shared_task
from django.db import transaction

from . import integration, reminders, services
from .models import QueueRule, ScanCursor, WaitingMention, WaitingState

logger = logging.getLogger(__name__)

SCAN_BATCH = 500
REMINDER_BATCH = 100


@shared_task(acks_late=True)
def scan_mentions(batch_size: int = SCAN_BATCH) -> int:
    """For each cell with active rules: the mentions after its cursor go through the rules, in capped batches."""
    queued = 0
    # First what waited for an incident (a cell had none open when its rules matched): within one
    # beat of an incident opening, its queue has them.
    waiting = WaitingMention.objects.filter(state=WaitingState.WAITING).values_list("cell_id", flat=True).distinct()
    for cell_id in waiting:
        queued += services.queue_waiting(cell_id=cell_id)
    for cell_id in QueueRule.objects.filter(is_active=True).values_list("cell_id", flat=True).distinct():
        queued += scan_cell(cell_id, batch_size=batch_size)
    return queued


MAX_BATCHES_PER_RUN = 20


def scan_cell(cell_id: int, batch_size: int = SCAN_BATCH) -> int:
    """Up to MAX_BATCHES_PER_RUN batches; what is left waits for the next beat."""
    queued = 0
    for _batch in range(MAX_BATCHES_PER_RUN):
        created, read = _scan_batch(cell_id, batch_size)
        queued += created
        if read < batch_size:
            break
    return queued


@transaction.atomic
def _scan_batch(cell_id: int, batch_size: int) -> tuple[int, int]:
    # The cursor row's lock: two scans of one cell run one after the other, the second from where the first stopped.
    cursor, _created = ScanCursor.objects.select_for_update().get_or_create(cell_id=cell_id)
    mentions = list(
        integration.mentions_of_cell(cell_id).filter(pk__gt=cursor.last_mention_id).order_by("pk")[:batch_size]
    )
    if not mentions:
        return 0, 0
    rules = list(QueueRule.objects.filter(cell_id=cell_id, is_active=True).order_by("pk"))
    incident = integration.most_urgent_open_incident(cell_id)
    if incident is not None:
        created = len(services.enqueue_by_rules(cell_id=cell_id, mentions=mentions, rules=rules, incident=incident))
    else:
        # No open incident: the matches wait on the cell's list instead of being skipped.
        services.hold_by_rules(cell_id=cell_id, mentions=mentions, rules=rules)
        created = 0
    ScanCursor.objects.filter(pk=cursor.pk).update(last_mention_id=mentions[-1].pk)
    return created, len(mentions)


@shared_task(acks_late=True)
def process_overdue_items(batch_size: int = REMINDER_BATCH) -> int:
    sent = failed = 0
    for item_id, stage, at in reminders.due(limit=batch_size):
        try:
            sent += reminders.fire(item_id=item_id, stage=stage, at=at)
        except Exception:
            failed += 1
            logger.exception("Overdue reminder of queue item %s could not be sent; it stays due.", item_id)
    return sent
