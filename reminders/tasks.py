"""The beat job that sends due reminders. Safe to run twice, in two workers at once, or again after a crash:
each reminder is claimed by services.fire with a conditional update."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


@shared_task(acks_late=True)
def process_due_reminders(batch_size: int = BATCH_SIZE) -> int:
    """Send the reminders due now, the most overdue first, at most `batch_size` per run.

    A full batch sent without error queues the next batch at once instead of
    waiting for the next beat. A reminder that fails stays due, so the next
    run tries it again; the others are not held up by it.
    """
    batch = services.due(limit=batch_size)
    sent = failed = 0
    for reminder_id, due_at in batch:
        try:
            sent += services.fire(reminder_id=reminder_id, due_at=due_at)
        except Exception:
            failed += 1
            logger.exception("Reminder %s could not be sent; it stays due.", reminder_id)
    if len(batch) == batch_size and not failed:
        process_due_reminders.delay(batch_size)
    if sent:
        logger.info("Sent %s reminders.", sent)
    return sent
