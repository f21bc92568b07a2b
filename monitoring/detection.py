"""Weak signals: when a watchlist's recent volume or tone breaks from its own baseline,
or an author above the reach threshold posts, an alert opens (one open per watchlist
and cause) and says why.

Everything reads the per-minute counters (VolumeCounter), never recounts mentions:
- volume: the last `window_minutes` against a baseline, the larger of (a) the mean of
  the same window at the same time on each of the previous `baseline_days` days (a
  daily rhythm is not a spike) and (b) the rate of the two hours before the window,
  scaled to the window (a steady series is not a spike, even on a new watchlist).
  It fires at `spike_factor` times the baseline and at least `spike_min_count` mentions;
- negative: the negative share of the window against the share of the 24 hours before
  it; it fires when it rose by `negative_jump` (0.25 = 25 points), on at least
  `spike_min_count` mentions (a few grumpy posts at night are not a tone break);
- reach: a matched mention whose author has at least `reach_threshold` followers.
"""

import re
from collections import Counter
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from . import broadcast, integration, matching
from .models import Alert, AlertCause, AlertStatus, Mention, VolumeCounter, Watchlist, exercise_mentions

TOP_MENTIONS = 5
CO_TERMS = 8
CO_TERM_SAMPLE = 500
PRECEDING = timedelta(hours=2)

STOPWORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "de",
        "du",
        "et",
        "ou",
        "a",
        "au",
        "aux",
        "en",
        "dans",
        "sur",
        "pour",
        "par",
        "pas",
        "plus",
        "que",
        "qui",
        "quoi",
        "ce",
        "cet",
        "cette",
        "ces",
        "il",
        "elle",
        "ils",
        "elles",
        "on",
        "nous",
        "vous",
        "je",
        "tu",
        "me",
        "te",
        "se",
        "leur",
        "leurs",
        "son",
        "sa",
        "ses",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "est",
        "sont",
        "ete",
        "etre",
        "avoir",
        "ai",
        "as",
        "avons",
        "avez",
        "ont",
        "fait",
        "faire",
        "mais",
        "donc",
        "car",
        "ni",
        "ne",
        "n",
        "c",
        "l",
        "d",
        "j",
        "s",
        "qu",
        "y",
        "tout",
        "tous",
        "toute",
        "toutes",
        "tres",
        "trop",
        "avec",
        "sans",
        "sous",
        "chez",
        "comme",
        "si",
        "deja",
        "encore",
        "aussi",
        "bien",
        "ca",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "my",
        "your",
        "our",
        "their",
        "not",
        "no",
        "so",
        "if",
        "but",
        "as",
        "just",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "about",
        "than",
        "then",
        "there",
        "here",
        "what",
        "which",
        "who",
        "rt",
        "http",
        "https",
        "www",
        "com",
    ]
)
WORDS = re.compile(r"[#@]?[a-z0-9][a-z0-9_'-]{2,}")
SPELLED_WORDS = re.compile(r"[#@]?\w[\w'-]{2,}")  # the same words before folding (accents kept)


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def volume_figures(watchlist: Watchlist, now: datetime) -> dict:
    """Counts of the window, the baseline windows and the preceding hours, in one query."""
    window = timedelta(minutes=watchlist.window_minutes)
    end = _minute(now) + timedelta(minutes=1)
    start = end - window
    buckets = {"recent": Q(minute__gte=start, minute__lt=end)}
    for day in range(1, watchlist.baseline_days + 1):
        shift = timedelta(days=day)
        buckets[f"day{day}"] = Q(minute__gte=start - shift, minute__lt=end - shift)
    buckets["preceding"] = Q(minute__gte=start - PRECEDING, minute__lt=start)
    buckets["day_before"] = Q(minute__gte=start - timedelta(days=1), minute__lt=start)
    aggregates = {}
    for name, condition in buckets.items():
        aggregates[name] = Sum("count", filter=condition, default=0)
        aggregates[f"{name}_negative"] = Sum("negative", filter=condition, default=0)
    earliest = start - timedelta(days=watchlist.baseline_days)
    figures = VolumeCounter.objects.filter(watchlist=watchlist, minute__gte=earliest, minute__lt=end).aggregate(
        **aggregates
    )
    days = [figures[f"day{day}"] for day in range(1, watchlist.baseline_days + 1)]
    same_hours = sum(days) / len(days) if days else 0.0
    trend = figures["preceding"] * (window / PRECEDING)
    before = figures["day_before"]
    return {
        "window_minutes": watchlist.window_minutes,
        "since": start.isoformat(),
        "count": figures["recent"],
        "negative": figures["recent_negative"],
        "baseline": round(max(same_hours, trend), 2),
        "baseline_same_hours": round(same_hours, 2),
        "baseline_preceding": round(trend, 2),
        "negative_share": round(figures["recent_negative"] / figures["recent"], 3) if figures["recent"] else 0.0,
        "baseline_negative_share": round(figures["day_before_negative"] / before, 3) if before else 0.0,
    }


def volume_breaks(watchlist: Watchlist, figures: dict) -> bool:
    count = figures["count"]
    return count >= watchlist.spike_min_count and count >= watchlist.spike_factor * max(figures["baseline"], 1.0)


def tone_breaks(watchlist: Watchlist, figures: dict) -> bool:
    return (
        figures["count"] >= watchlist.spike_min_count
        and figures["negative_share"] - figures["baseline_negative_share"] >= watchlist.negative_jump
    )


def _window_mentions(watchlist: Watchlist, since: datetime):
    # A drill's synthetic mentions (from its exercise source) are never the evidence of a real alert.
    return (
        Mention.objects.filter(cell_id=watchlist.cell_id, matched__has_key=str(watchlist.pk), published_at__gte=since)
        .exclude(exercise_mentions())
        .order_by("-published_at")
    )


def top_mentions(watchlist: Watchlist, since: datetime) -> list[dict]:
    rows = (
        _window_mentions(watchlist, since)
        .order_by("-author_reach", "-shares", "-published_at")
        .values("id", "author_handle", "author_reach", "text", "url", "published_at", "tone")[:TOP_MENTIONS]
    )
    return [{**row, "text": row["text"][:280], "published_at": row["published_at"].isoformat()} for row in rows]


def co_terms(watchlist: Watchlist, since: datetime) -> list[list]:
    """The words most often said with the watchlist's terms in the window (a sample of the latest)."""
    own = {matching.fold(term) for term in matching.parse_terms(watchlist.terms)}
    counter: Counter = Counter()
    # Counted folded ("creme" = "crème" = "CRÈME"), shown as people wrote it most often.
    spellings: dict[str, Counter] = {}
    for text in _window_mentions(watchlist, since).values_list("text", flat=True)[:CO_TERM_SAMPLE]:
        seen = set()
        for spelled in SPELLED_WORDS.findall(text.lower()):
            word = matching.fold(spelled)
            if word in seen or word in STOPWORDS or word in own or not WORDS.fullmatch(word):
                continue
            seen.add(word)
            counter[word] += 1
            spellings.setdefault(word, Counter())[spelled] += 1
    return [[spellings[word].most_common(1)[0][0], count] for word, count in counter.most_common(CO_TERMS)]


def open_alert(*, watchlist: Watchlist, cause: str, evidence: dict) -> Alert | None:
    """The alert, or None when one is already open for this watchlist and cause (whoever won the race)."""
    if Alert.objects.filter(watchlist=watchlist, cause=cause, status=AlertStatus.OPEN).exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(cell_id=watchlist.cell_id, watchlist=watchlist, cause=cause, evidence=evidence)
            broadcast.alert_changed(cell_id=watchlist.cell_id, alert_id=alert.pk, status=alert.status)
            integration.alert_opened(alert)
    except IntegrityError:
        return None
    return alert


def evaluate(watchlist: Watchlist, *, now: datetime | None = None, loud_mention_ids=()) -> list[Alert]:
    """Open the alerts the figures call for. Idempotent: a second run opens nothing more."""
    now = now or timezone.now()
    opened = []
    figures = volume_figures(watchlist, now)
    since = datetime.fromisoformat(figures["since"])
    causes = []
    if volume_breaks(watchlist, figures):
        causes.append(AlertCause.VOLUME)
    if tone_breaks(watchlist, figures):
        causes.append(AlertCause.NEGATIVE)
    if causes:
        evidence = {**figures, "top_mentions": top_mentions(watchlist, since), "co_terms": co_terms(watchlist, since)}
        for cause in causes:
            alert = open_alert(watchlist=watchlist, cause=cause, evidence=evidence)
            if alert:
                opened.append(alert)
    if loud_mention_ids and watchlist.reach_threshold:
        loud = (
            Mention.objects.filter(
                pk__in=list(loud_mention_ids),
                cell_id=watchlist.cell_id,
                matched__has_key=str(watchlist.pk),
                author_reach__gte=watchlist.reach_threshold,
            )
            .order_by("-author_reach")
            .values("id", "author_handle", "author_name", "author_reach", "text", "url", "published_at", "tone")
            .first()
        )
        if loud:
            mention = {**loud, "text": loud["text"][:280], "published_at": loud["published_at"].isoformat()}
            evidence = {
                **figures,
                "reach_threshold": watchlist.reach_threshold,
                "author_handle": loud["author_handle"],
                "author_reach": loud["author_reach"],
                "top_mentions": [mention],
                "co_terms": [],
            }
            alert = open_alert(watchlist=watchlist, cause=AlertCause.REACH, evidence=evidence)
            if alert:
                opened.append(alert)
    return opened
