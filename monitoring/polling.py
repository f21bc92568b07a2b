"""Polling feeds and Mastodon sources: each source on its own interval, backing off on errors.

A source is claimed with a conditional UPDATE of its next_poll_at (two workers never poll
it at once); whatever goes wrong (a malformed feed, a connector error, a timeout, a 429)
is logged and recorded on the source (last_error, shown to the cell's admins) and never
stops the poller or the other sources. After n failures in a row the next poll waits
interval x 2^n (at most MAX_BACKOFF), or what the server asked (Retry-After, rate-limit reset).
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import ingest, problems
from .connectors import feeds, http, mastodon
from .models import Source, SourceKind

logger = logging.getLogger(__name__)
CONNECTORS = {SourceKind.RSS: feeds.fetch, SourceKind.MASTODON: mastodon.fetch}
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
DUE_BATCH = 200


def due_source_ids(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Source.objects.filter(kind__in=list(CONNECTORS), is_active=True, next_poll_at__lte=now)
        .order_by("next_poll_at")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )


def claim(source_id: int, now) -> Source | None:
    """The source if it is still due (pushing its next poll past the lease), else None."""
    claimed = Source.objects.filter(pk=source_id, is_active=True, next_poll_at__lte=now).update(
        next_poll_at=now + LEASE
    )
    return Source.objects.get(pk=source_id) if claimed else None


def poll(source_id: int, *, force: bool = False) -> ingest.Result | None:
    """Poll one source now (if due, or `force`); the result of its ingestion, None when skipped or failed."""
    now = timezone.now()
    if force:
        Source.objects.filter(pk=source_id).update(next_poll_at=now)
    source = claim(source_id, now)
    if source is None or source.kind not in CONNECTORS:
        return None
    try:
        records, changes = CONNECTORS[source.kind](source, now)
        result = ingest.ingest_records(source, records) if records else ingest.Result()
    except http.FetchError as error:
        _failed(source, error.problem, now, retry_after=error.retry_after)
        return None
    except Exception as error:  # a connector bug must not stop the other sources
        logger.exception("Polling source %s failed", source.pk)
        _failed(source, problems.Problem("unexpected", {"detail": f"{type(error).__name__}: {error}"[:300]}), now)
        return None
    next_at = max(now + timedelta(seconds=source.poll_interval_seconds), changes.pop("next_poll_at", now))
    Source.objects.filter(pk=source.pk).update(**changes, failures=0, last_success_at=now, next_poll_at=next_at)
    return result


def _failed(source: Source, problem: problems.Problem, now, *, retry_after: float | None = None) -> None:
    """Recorded on the source: the problem as data (worded in the reader's language on the
    page and in the API), and in English in last_error (logs, scripts)."""
    message = problem.english()
    failures = source.failures + 1
    backoff = min(timedelta(seconds=source.poll_interval_seconds * 2**failures), MAX_BACKOFF)
    if retry_after is not None:
        backoff = max(backoff, timedelta(seconds=retry_after))
    logger.warning("Source %s (%s) failed (%s in a row): %s", source.pk, source.name, failures, message)
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(
            failures=failures,
            last_error=message[:500],
            last_problem=problem.as_data(),
            last_error_at=now,
            next_poll_at=now + backoff,
        )
