"""Who has the incident open now. One row per socket, in the database so that
every server process sees every viewer; a socket that stops pinging (its
process died) drops out after PRESENCE_TIMEOUT."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Max, Min, When
from django.utils import timezone

from .models import Presence, PresenceState

PRESENCE_TIMEOUT = datetime.timedelta(seconds=75)
# A ping refreshes last_seen_at at most this often: 500 viewers cost a few writes a second.
TOUCH_EVERY = datetime.timedelta(seconds=20)
# The page shows this many faces, then "+N".
MAX_LISTED = 30


def join(*, incident_id: int, user_id: int, channel_name: str) -> None:
    now = timezone.now()
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"incident_id": incident_id, "user_id": user_id, "connected_at": now, "last_seen_at": now},
    )


def leave(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


def touch(*, channel_name: str, state: str | None = None) -> bool:
    """Refresh the socket's presence; True when its state changed (others must hear of it)."""
    now = timezone.now()
    if state in PresenceState.values:
        changed = (
            Presence.objects.filter(channel_name=channel_name)
            .exclude(state=state)
            .update(state=state, last_seen_at=now)
        )
        if changed:
            return True
    Presence.objects.filter(channel_name=channel_name, last_seen_at__lt=now - TOUCH_EVERY).update(last_seen_at=now)
    return False


def viewers(incident_id: int) -> dict:
    """{"total": N, "users": [{"id", "name", "initials", "state"}]}: a user with several
    tabs counts once, active if any of them is. Aggregated in the database: runs at every
    connect, so its cost must not grow with the number of open sockets."""
    live = Presence.objects.filter(incident_id=incident_id, last_seen_at__gte=timezone.now() - PRESENCE_TIMEOUT)
    per_user = (
        live.values("user_id")
        .annotate(
            since=Min("connected_at"),
            active=Max(Case(When(state=PresenceState.ACTIVE, then=1), default=0, output_field=IntegerField())),
        )
        .order_by("since", "user_id")
    )
    listed = list(per_user[:MAX_LISTED])
    people = get_user_model().objects.in_bulk([row["user_id"] for row in listed])
    users = [
        {
            "id": row["user_id"],
            "name": str(people[row["user_id"]]),
            "initials": initials(str(people[row["user_id"]])),
            "state": PresenceState.ACTIVE if row["active"] else PresenceState.IDLE,
        }
        for row in listed
        if row["user_id"] in people
    ]
    total = len(listed) if len(listed) < MAX_LISTED else live.values("user_id").distinct().count()
    return {"total": total, "users": users}


def initials(name: str) -> str:
    parts = [part for part in name.replace("-", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


def purge_stale() -> int:
    """Rows of sockets whose process died without a disconnect (beat job)."""
    deleted, _ = Presence.objects.filter(last_seen_at__lt=timezone.now() - 4 * PRESENCE_TIMEOUT).delete()
    return deleted
