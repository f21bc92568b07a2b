"""Reads of monitoring: every query starts from the cell (the caller checked membership)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import search_index
from .models import Alert, AlertStatus, Mention, Source, VolumeCounter, Watchlist, exercise_mentions

# Functions returning Prefetch objects for mentions shown on a page, registered by the apps above
# (the response queue: whether and by whom each mention was answered, as `answered_in_queue`).
# Monitoring names none of them: lower layers publish, higher layers subscribe.
MENTION_PREFETCHES: list = []


def register_mention_prefetch(prefetches) -> None:
    if prefetches not in MENTION_PREFETCHES:
        MENTION_PREFETCHES.append(prefetches)


def mentions(
    cell_id: int,
    *,
    watchlist: int | None = None,
    tone: int | None = None,
    source: int | None = None,
    author: str = "",
    min_reach: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    language: str = "",
    q: str = "",
    matched_only: bool = False,
    any_of_watchlists: list[int] | None = None,
    for_display: bool = False,
    real_only: bool = False,
) -> QuerySet[Mention]:
    """The cell's mentions, newest first, filtered. Full-text search on PostgreSQL with the
    French and the English configurations (monitoring/search_index.py); a plain
    case-insensitive search elsewhere. `for_display`: with what the apps above registered
    (MENTION_PREFETCHES), one query each per page."""
    rows = Mention.objects.filter(cell_id=cell_id).select_related("source")
    if for_display:
        rows = rows.prefetch_related(*(prefetch for prefetches in MENTION_PREFETCHES for prefetch in prefetches()))
    if watchlist is not None:
        rows = rows.filter(matched__has_key=str(watchlist))
    elif any_of_watchlists is not None:
        rows = rows.filter(matched__has_any_keys=[str(pk) for pk in any_of_watchlists])
    elif matched_only:
        rows = rows.exclude(matched={})
    if real_only:
        # Without a drill's synthetic posts (a real incident's stream: drills.mentions).
        rows = rows.exclude(exercise_mentions())
    if tone is not None:
        rows = rows.filter(tone=tone)
    if source is not None:
        rows = rows.filter(source_id=source)
    if author:
        rows = rows.filter(author_handle__iexact=author.lstrip("@")) | rows.filter(author_handle__iexact=author)
    if min_reach is not None:
        rows = rows.filter(author_reach__gte=min_reach)
    if since is not None:
        rows = rows.filter(published_at__gte=since)
    if until is not None:
        rows = rows.filter(published_at__lt=until)
    if language:
        rows = rows.filter(language=language)
    if q:
        if connection.vendor == "postgresql":
            rows = rows.extra(  # noqa: S610  (a constant clause; q is a bound parameter)
                where=[search_index.SEARCH_SQL],
                params=[q, q, q, q],
            )
        else:
            rows = rows.filter(text__icontains=q)
    return rows.order_by("-published_at", "-id")


def watchlists(cell_id: int) -> QuerySet[Watchlist]:
    return Watchlist.objects.filter(cell_id=cell_id).order_by("name")


def alerts(cell_id: int, *, status: str = "") -> QuerySet[Alert]:
    rows = Alert.objects.filter(cell_id=cell_id).select_related("watchlist")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-opened_at", "-id")


def open_alerts(cell_id: int) -> QuerySet[Alert]:
    return alerts(cell_id, status=AlertStatus.OPEN)


def sources(cell_id: int) -> QuerySet[Source]:
    return Source.objects.filter(cell_id=cell_id).order_by("name")


def counters_today(cell_id: int, *, hours: int = 24) -> dict[int, dict]:
    """Per watchlist of the cell: mentions and negative ones in the last `hours` (from counters)."""
    since = timezone.now() - timedelta(hours=hours)
    rows = (
        VolumeCounter.objects.filter(watchlist__cell_id=cell_id, minute__gte=since)
        .values("watchlist_id")
        .annotate(count=Coalesce(Sum("count"), 0), negative=Coalesce(Sum("negative"), 0))
    )
    return {row["watchlist_id"]: row for row in rows}


def volume_series(watchlist_ids, *, since: datetime, until: datetime, bucket_minutes: int) -> list[dict]:
    """[{"at": bucket start, "count", "negative"}] for the watchlists together, every bucket
    present (zeros included) so a chart's time axis is regular. Read from the counters."""
    bucket = timedelta(minutes=bucket_minutes)
    start = since.replace(second=0, microsecond=0)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = VolumeCounter.objects.filter(watchlist_id__in=list(watchlist_ids), minute__gte=start, minute__lt=until)
    for minute, count, negative in rows.values_list("minute", "count", "negative"):
        index = int((minute - start) / bucket)
        totals[index][0] += count
        totals[index][1] += negative
    points = []
    steps = max(1, int((until - start) / bucket) + (1 if (until - start) % bucket else 0))
    for index in range(steps):
        count, negative = totals.get(index, (0, 0))
        points.append({"at": start + index * bucket, "count": count, "negative": negative})
    return points
