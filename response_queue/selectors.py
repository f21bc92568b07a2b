"""Reads on the response queue: the list, the figures (backlog, time to first response, within SLA),
near-duplicate suggestions. Callers have authorised."""

import datetime
import statistics

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import DONE_STATES, OPEN_STATES, ItemState, QueueItem

AGE_BUCKETS = [(15, "< 15 min"), (60, "15-60 min"), (240, "1-4 h"), (None, "> 4 h")]
SUGGESTION_POOL = 1000
SUGGESTION_SCORE = 85


def items_of_incident(incident, *, state: str = "", assignee=None, open_only: bool = False) -> QuerySet[QueueItem]:
    items = QueueItem.objects.filter(incident=incident).select_related("mention", "assignee", "rule")
    if state in ItemState.values:
        items = items.filter(state=state)
    elif open_only:
        items = items.filter(state__in=OPEN_STATES)
    if assignee is not None:
        items = items.filter(assignee=assignee)
    return items.order_by("due_at", "pk")


def _percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _waited(published, created, until) -> float:
    """Minutes from when the public started waiting (the mention's publication, never after it
    entered the queue: a clock ahead of ours) until `until`."""
    return (until - min(published, created)).total_seconds() / 60


def metrics(incident, now: datetime.datetime | None = None) -> dict:
    """Backlog by state and age, time to first response (median, p90, minutes), share done within the SLA.

    Time to first response and ages count from the mention's publication: the person who
    complained has waited since then, however late the cell saw it. The due time counts
    from there too (services._new_item), so "within the SLA" speaks of the same wait.
    A fixed number of queries whatever the queue's size: one aggregate, one list of
    answered items (three datetimes each), one list of open ones (two each).
    """
    now = now or timezone.now()
    items = QueueItem.objects.filter(incident=incident)
    counts = items.aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in ItemState.values},
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_at__lt=now)),
        done_in_time=Count("pk", filter=Q(state__in=DONE_STATES, done_at__lte=F("due_at"))),
        done=Count("pk", filter=Q(state__in=DONE_STATES)),
    )
    answered = sorted(
        _waited(published, created, done)
        for published, created, done in items.filter(state=ItemState.ANSWERED).values_list(
            "mention__published_at", "created_at", "done_at"
        )
    )
    ages = [
        _waited(published, created, now)
        for published, created in items.filter(state__in=OPEN_STATES).values_list("mention__published_at", "created_at")
    ]
    buckets, lower = [], 0
    for upper, label in AGE_BUCKETS:
        count = sum(1 for age in ages if age >= lower and (upper is None or age < upper))
        buckets.append({"label": label, "count": count})
        lower = upper or lower
    judged = counts["done"] + counts["overdue"]
    return {
        "by_state": {state: counts[state] for state in ItemState.values},
        "open": counts["new"] + counts["assigned"],
        "overdue": counts["overdue"],
        "ages": buckets,
        "first_response_median": _round(statistics.median(answered) if answered else None),
        "first_response_p90": _round(_percentile(answered, 0.9)),
        "answered": len(answered),
        "within_sla": _round(100 * counts["done_in_time"] / judged if judged else None),
    }


def _round(value):
    return None if value is None else round(value, 1)


def hourly(incident, hours: int = 12, now: datetime.datetime | None = None) -> list[dict]:
    """Per hour over the last `hours`: items that came in, items answered, and the median minutes to answer
    (from publication, as in `metrics`)."""
    now = now or timezone.now()
    start = (now - datetime.timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    rows = [{"at": start + datetime.timedelta(hours=i), "in": 0, "answered": 0, "times": []} for i in range(hours)]
    items = QueueItem.objects.filter(incident=incident)
    for created in items.filter(created_at__gte=start).values_list("created_at", flat=True):
        rows[min(int((created - start).total_seconds() // 3600), hours - 1)]["in"] += 1
    for published, created, done in items.filter(state=ItemState.ANSWERED, done_at__gte=start).values_list(
        "mention__published_at", "created_at", "done_at"
    ):
        row = rows[min(int((done - start).total_seconds() // 3600), hours - 1)]
        row["answered"] += 1
        row["times"].append(_waited(published, created, done))
    for row in rows:
        row["median"] = _round(statistics.median(row.pop("times"))) if row["times"] else None
    return rows


def near_duplicates(item: QueueItem, limit: int = 20) -> list[tuple[QueueItem, int]]:
    """Other open items of the incident whose mention says nearly the same (rapidfuzz token-set ratio)."""
    from rapidfuzz import fuzz, process, utils

    pool = list(
        QueueItem.objects.filter(incident_id=item.incident_id, state__in=OPEN_STATES, duplicate_of__isnull=True)
        .exclude(pk=item.pk)
        .select_related("mention")
        .order_by("-pk")[:SUGGESTION_POOL]
    )
    choices = {other.pk: other.mention.text for other in pool}
    found = process.extract(
        item.mention.text,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=SUGGESTION_SCORE,
        limit=limit,
    )
    by_pk = {other.pk: other for other in pool}
    return [(by_pk[key], round(score)) for _text, score, key in found]
