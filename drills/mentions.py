"""A scenario's wave of posts, delivered into the monitoring stream of the drill's cell.

The posts go through monitoring's own ingestion (matching against the cell's watchlists,
tone, storage, the live monitoring page) from the drill's exercise source, so the cell sees
and handles them as it would real ones. They are marked as an exercise three times over: the
source (its config holds monitoring.models.EXERCISE_KEY and its name says EXERCICE / EXERCISE),
the post's text (it starts with the same words, wherever it is shown or exported), and the
incident they can reach (the drill's, an exercise).

They are kept out of everything real: never counted in the volumes (so out of the baselines
and of real alerts), never queued in a real incident (response_queue.integration), and the
cell's queue rules put them in the drill's own queue. The alert thresholds of the matched
watchlists are applied to the drill's posts alone; a signal they break is told to the
watchlist's watchers with monitoring's own alert wording, in the drill's incident (hence
marked as an exercise), once per drill, watchlist and cause.
"""

import datetime

from django.urls import reverse

from monitoring import detection, ingest
from monitoring import integration as monitoring
from monitoring.models import EXERCISE_KEY, Mention, Source, SourceKind, Watchlist
from notifications.services import cell_members, notify
from response_queue.models import QueueRule
from response_queue.services import enqueue_by_rules

PREFIX = "EXERCICE / EXERCISE — "


def exercise_source(drill) -> Source:
    """The drill's own source: never polled (inactive), one per drill."""
    source, _created = Source.objects.get_or_create(
        cell_id=drill.cell_id,
        name=f"{PREFIX}drill #{drill.pk}",
        defaults={
            "kind": SourceKind.API,
            "is_active": False,
            "config": {EXERCISE_KEY: True, "drill": drill.pk, "incident": drill.incident_id},
        },
    )
    return source


def wave_ids_prefix(inject) -> str:
    """The external ids of a wave's posts start with this (one source per drill; unique per inject)."""
    return f"drill-{inject.drill_id}-inject-{inject.pk}-"


def deliver_wave(*, drill, inject, now: datetime.datetime) -> dict:
    """Store the inject's posts, queue them in the drill's incident, judge them against the thresholds.
    Inside the delivery's transaction: a crash rolls it all back with the inject's claim."""
    source = exercise_source(drill)
    params = inject.params or {}
    count, author, reach = params.get("count", 1), params.get("author") or "", params.get("reach", 0)
    text = inject.text if inject.text.startswith(PREFIX) else PREFIX + inject.text
    ids = [f"{wave_ids_prefix(inject)}{n}" for n in range(count)]
    records = [
        ingest.MentionIn(
            external_id=external_id,
            text=text,
            published_at=now,
            # The first is the author's own post; the others share it.
            author_handle=author if n == 0 and author else f"{author or 'exercice'}_{n}",
            author_reach=reach if n == 0 else 0,
        )
        for n, external_id in enumerate(ids)
    ]
    result = ingest.ingest_records(source, records, exercise=True)
    mentions = list(Mention.objects.filter(source=source, external_id__in=ids).order_by("pk"))
    rules = list(QueueRule.objects.filter(cell_id=drill.cell_id, is_active=True).order_by("pk"))
    queued = enqueue_by_rules(cell_id=drill.cell_id, mentions=mentions, rules=rules, incident=drill.incident)
    signals = _judge(drill, source, sorted(result.watchlists), now)
    return {
        "mentions": len(mentions),
        "matched": sum(1 for mention in mentions if mention.matched),
        "watchlists": sorted(result.watchlists),
        "queued": len(queued),
        "signals": signals,
    }


def _judge(drill, source, watchlist_ids, now) -> list[dict]:
    """The matched watchlists' thresholds on the drill's posts alone (no baseline: a drill's wave
    starts from nothing), through monitoring's own rules (detection.volume_breaks, tone_breaks)."""
    fired = []
    for watchlist in Watchlist.objects.filter(pk__in=watchlist_ids, is_active=True).order_by("pk"):
        since = now - datetime.timedelta(minutes=watchlist.window_minutes)
        window = Mention.objects.filter(source=source, matched__has_key=str(watchlist.pk), published_at__gte=since)
        count = window.count()
        negative = window.filter(tone__lt=0).count()
        figures = {
            "window_minutes": watchlist.window_minutes,
            "count": count,
            "negative": negative,
            "baseline": 0.0,
            "negative_share": round(negative / count, 3) if count else 0.0,
            "baseline_negative_share": 0.0,
        }
        causes = []
        if detection.volume_breaks(watchlist, figures):
            causes.append("volume")
        if detection.tone_breaks(watchlist, figures):
            causes.append("negative")
        if watchlist.reach_threshold and window.filter(author_reach__gte=watchlist.reach_threshold).exists():
            causes.append("reach")
        for cause in causes:
            if _signal(drill, watchlist, cause, figures):
                fired.append(
                    {"watchlist": watchlist.pk, "watchlist_name": watchlist.name, "cause": cause, "count": count}
                )
    return fired


def _signal(drill, watchlist, cause: str, figures: dict) -> bool:
    """Tell the watchers, once per drill, watchlist and cause (the dedupe key decides)."""
    from notifications.models import Notification

    key = f"drill-signal:{drill.pk}:{watchlist.pk}:{cause}"
    if Notification.objects.filter(dedupe_key=key).exists():
        return False
    watchers = list(cell_members(drill.cell).filter(watched_watchlists=watchlist))
    notify(
        users=watchers or list(cell_members(drill.cell)),
        cell=drill.cell,
        incident=drill.incident,
        kind=monitoring.NOTIFICATION_KIND,
        wording=f"{monitoring.WORDING}.{cause}",
        params={
            "watchlist": watchlist.name,
            "count": figures["count"],
            "window": figures["window_minutes"],
            "baseline": figures["baseline"],
            "negative": round(100 * figures["negative_share"]),
        },
        link=reverse("incidents:detail", args=[drill.incident_id]),
        data={"drill": drill.pk, "watchlist": watchlist.pk, "cause": cause},
        dedupe_key=key,
    )
    return True
