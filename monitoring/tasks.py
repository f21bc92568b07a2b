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


@shared_task
def poll_source(source_id: int) -> int:
    """One source; idempotent (a source that is not due any more is skipped; items are stored once)."""
    from . import polling

    result = polling.poll(source_id)
    return result.accepted if result else 0


@shared_task
def poll_due_sources() -> int:
    """Every 30 s (beat): one task per due feed or Mastodon source, so a slow one delays no other."""
    from . import polling

    ids = polling.due_source_ids()
    for source_id in ids:
        poll_source.delay(source_id)
    return len(ids)


@shared_task
def run_import(job_id: int) -> int:
    """A file import; idempotent (only a queued job is claimed, and rows are stored once)."""
    from . import imports

    job = imports.run_job(job_id)
    return job.kept if job else 0


@shared_task
def index_search_documents() -> int:
    """After ingested batches (debounced) and every 10 s (beat): the queued mentions'
    full-text documents; idempotent (each mention is indexed once)."""
    from django.core.cache import cache

    from . import search_index

    cache.delete(search_index.SCHEDULED_KEY)
    return search_index.index_pending()
