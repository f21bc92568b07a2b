"""How long things may wait, per cell: the timings of ReviewCadence (defaults when a cell has no row)."""

import datetime

from incidents.models import Level

from .models import ReviewCadence

# How long a published holding statement stands, per level; a closed incident has no review cadence.
LEVEL_FIELDS = {
    Level.CRISIS: "crisis_minutes",
    Level.ALERT: "alert_minutes",
    Level.WATCH: "watch_minutes",
    Level.RECOVERY: "recovery_minutes",
}


# What a cell sets of its cadence (the communication settings page and API: workspace.cell_settings).
CADENCE_FIELDS = (
    "crisis_minutes",
    "alert_minutes",
    "watch_minutes",
    "recovery_minutes",
    "repeat_minutes",
    "escalate_after",
    "review_wait_minutes",
    "claim_unanswered_minutes",
)


def cadence_for(cell) -> ReviewCadence:
    return ReviewCadence.objects.filter(cell=cell).first() or ReviewCadence(cell=cell)


def review_interval(cadence: ReviewCadence, level: str) -> datetime.timedelta | None:
    field = LEVEL_FIELDS.get(Level(level))
    return datetime.timedelta(minutes=getattr(cadence, field)) if field else None


def review_wait(cell) -> datetime.timedelta:
    return datetime.timedelta(minutes=cadence_for(cell).review_wait_minutes)


def claim_unanswered_after(cell) -> datetime.timedelta:
    return datetime.timedelta(minutes=cadence_for(cell).claim_unanswered_minutes)
