"""Briefing e-mails. Idempotent: each delivery is claimed pending -> sent (services.deliver);
the periodic sweep sends what the after-commit task did not (lost message, dead worker)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import BriefingDelivery, DeliveryStatus

logger = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 200


@shared_task(acks_late=True)
def send_briefing_emails(delivery_ids: list[int]) -> int:
    sent = 0
    for pk in delivery_ids:
        try:
            sent += services.deliver(pk)
        except Exception:  # one bad address must not hold up the others; it stays pending for the sweep
            logger.exception("Briefing delivery %s could not be sent; it stays pending.", pk)
    return sent


@shared_task(acks_late=True)
def send_pending_briefings() -> int:
    cutoff = timezone.now() - SWEEP_GRACE
    ids = list(
        BriefingDelivery.objects.filter(status=DeliveryStatus.PENDING, briefing__created_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return send_briefing_emails(ids) if ids else 0


@shared_task(acks_late=True)
def match_relayed_mentions() -> int:
    """A relay's own mention after the briefing marks it relayed (idempotent: marked once, guarded)."""
    return services.match_relayed_mentions()
