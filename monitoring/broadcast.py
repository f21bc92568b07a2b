"""The one module of monitoring that sends live updates (through realtime's transport).

Small messages after commit: what changed and its ids; the monitoring page fetches
what it shows (its filters, its reader's rights). One message per ingested batch, not
per mention: a storm of 5,000 mentions a second must not become 5,000 socket frames.
"""

from realtime.broadcast import send_on_commit


def monitoring_group(cell_id: int) -> str:
    return f"monitoring.{cell_id}"


def mentions_matched(*, cell_id: int, watchlist_ids: list[int], count: int) -> None:
    send_on_commit(
        monitoring_group(cell_id), {"type": "monitoring.mentions", "watchlists": watchlist_ids, "count": count}
    )


def alert_changed(*, cell_id: int, alert_id: int, status: str) -> None:
    send_on_commit(monitoring_group(cell_id), {"type": "monitoring.alert", "alert": alert_id, "status": status})


def import_progress(*, cell_id: int, job_id: int) -> None:
    """An import moved on (a chunk stored, or the end): its page fetches its progress."""
    send_on_commit(monitoring_group(cell_id), {"type": "monitoring.import", "job": job_id})
