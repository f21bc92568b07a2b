"""The beat job that delivers due injects (every second). Each inject is claimed by
services.deliver with a conditional update: safe to run twice, in two workers, after a crash."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


@shared_task(acks_late=True)
def deliver_due_injects() -> int:
    delivered = 0
    for inject_id, due_at in services.due(limit=BATCH_SIZE):
        try:
            delivered += services.deliver(inject_id=inject_id, due_at=due_at)
        except Exception:
            logger.exception("Inject %s could not be delivered; it stays due.", inject_id)
    return delivered
