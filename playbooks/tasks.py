"""Beat jobs of the playbooks app. Each takes ids from the database and claims each sending with
a conditional update: safe to run twice, in two workers at once, or again after a crash."""

import logging

from celery import shared_task

from . import activation, reminding

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


def _run(batch, fire, name: str, again) -> int:
    sent = failed = 0
    for object_id, due_at in batch:
        try:
            sent += fire(object_id, due_at)
        except Exception:
            failed += 1
            logger.exception("%s %s could not be sent; it stays due.", name, object_id)
    if batch and len(batch) == BATCH_SIZE and not failed:
        again.delay()
    return sent


@shared_task(acks_late=True)
def process_due_task_reminders() -> int:
    return _run(
        reminding.due_tasks(limit=BATCH_SIZE),
        lambda pk, due: reminding.remind_task(task_id=pk, due_at=due),
        "Task reminder",
        process_due_task_reminders,
    )


@shared_task(acks_late=True)
def process_due_acknowledgements() -> int:
    return _run(
        activation.due_acks(limit=BATCH_SIZE),
        lambda pk, due: activation.remind_ack(ack_id=pk, due_at=due),
        "Acknowledgement reminder",
        process_due_acknowledgements,
    )


@shared_task(acks_late=True)
def process_due_digests() -> int:
    return _run(
        reminding.due_digests(limit=BATCH_SIZE),
        lambda pk, due: reminding.send_digest(schedule_id=pk, due_at=due),
        "Digest",
        process_due_digests,
    )
