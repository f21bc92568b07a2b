"""Celery tasks of monitoring: they take ids, call a service and are idempotent
(an alert opens once per watchlist and cause; a feed's items are stored once)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import detection
from .models import VolumeCounter, Watchlist


@shared_task
def evaluate_watchlists(watchlist_ids: list[int], loud_mention_ids: list[int] | None = None) -> int:
    """Right after a batch is committed: the alert shows within seconds of the spike."""
    opened = 0
    for watchlist in Watchlist.objects.filter(pk__in=watchlist_ids, is_active=True).order_by("pk"):
        opened += len(detection.evaluate(watchlist, loud_mention_ids=loud_mention_ids or ()))
    return opened


@shared_task
def evaluate_recent_watchlists() -> int:
    """Every minute (beat): the watchlists that had mentions in their window, in case an
    after-commit task was lost; cheap, since it reads counters only."""
    since = timezone.now() - timedelta(hours=24)
    ids = list(
        VolumeCounter.objects.filter(minute__gte=since, watchlist__is_active=True)
        .values_list("watchlist_id", flat=True)
        .distinct()
    )
    return evaluate_watchlists(ids)
