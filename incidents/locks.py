"""Edit locks: "being edited by X" on a fact or a statement draft.

A lock is held by one person and lapses after LOCK_TTL without renewal (the
edit form renews it while its user types), or when released. The services that
change a fact's text or a draft refuse anyone else while a lock is live;
optimistic concurrency (ETag / revision) still protects every write.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict

from . import live as broadcast
from . import references
from .models import EditLock

LOCK_TTL = datetime.timedelta(seconds=90)


class Locked(Conflict):
    """Someone else is editing it (HTTP 409, with who and until when)."""


def target_for(obj) -> str:
    return f"{obj._meta.model_name}:{obj.pk}"


def _parse(incident, target: str):
    """The fact or statement named by `target`, if it belongs to `incident`."""
    kind, _sep, raw_id = (target or "").partition(":")
    models = references.lockable()
    if kind not in models or not raw_id.isdigit():
        raise ValidationError({"target": _("Name what you edit as fact:<id> or statement:<id>.")})
    obj = models[kind].objects.filter(incident=incident, pk=int(raw_id)).first()
    if obj is None:
        raise ValidationError({"target": _("No such fact or statement in this incident.")})
    return obj


def _payload(lock: EditLock | None, target: str) -> dict:
    if lock is None:
        return {"type": "lock", "target": target, "holder": None}
    return {
        "type": "lock",
        "target": target,
        "holder": {"id": lock.holder_id, "name": str(lock.holder)},
        "expires_at": lock.expires_at.isoformat(),
    }


def _live(target: str):
    return EditLock.objects.select_related("holder").filter(target=target, expires_at__gt=timezone.now()).first()


def locked_message(lock: EditLock) -> str:
    return _("%(name)s is editing this (until %(time)s unless they go on). Wait, or ask them.") % {
        "name": lock.holder,
        "time": time_format(timezone.localtime(lock.expires_at), "H:i:s"),
    }


@transaction.atomic
def acquire(*, actor, incident, target: str) -> EditLock:
    """Take or renew the lock; Locked when someone else holds a live one."""
    require_role(membership_for(actor, incident.cell_id), Role.MEMBER)
    target = target_for(_parse(incident, target))
    now = timezone.now()
    # Insert-if-absent, then lock the row: two people opening the editor at once queue here.
    EditLock.objects.bulk_create(
        [EditLock(incident=incident, target=target, holder=actor, acquired_at=now, expires_at=now)],
        ignore_conflicts=True,
    )
    lock = EditLock.objects.select_for_update().select_related("holder").get(target=target)
    if lock.holder_id != actor.pk and lock.expires_at > now:
        raise Locked(locked_message(lock), current=_payload(lock, target))
    renewing = lock.holder_id == actor.pk and lock.expires_at > now
    lock.holder, lock.expires_at = actor, now + LOCK_TTL
    if not renewing:
        lock.acquired_at = now
    lock.save(update_fields=["holder", "expires_at", "acquired_at"])
    if not renewing:
        broadcast.incident_transient(incident_id=incident.pk, payload=_payload(lock, target))
    return lock


@transaction.atomic
def release(*, actor, incident, target: str) -> bool:
    require_role(membership_for(actor, incident.cell_id), Role.MEMBER)
    target = target_for(_parse(incident, target))
    released, _ = EditLock.objects.filter(target=target, holder=actor).delete()
    if released:
        broadcast.incident_transient(incident_id=incident.pk, payload=_payload(None, target))
    return bool(released)


def check_free(*, actor, obj) -> None:
    """Called by the services that write the text: refuse while someone else holds the lock."""
    lock = _live(target_for(obj))
    if lock is not None and lock.holder_id != actor.pk:
        raise Locked(locked_message(lock), current=_payload(lock, target_for(obj)))


def release_after_save(*, actor, obj) -> None:
    """Saving ends the editing session: the others may edit again at once."""
    target = target_for(obj)
    if EditLock.objects.filter(target=target, holder=actor).delete()[0]:
        broadcast.incident_transient(incident_id=obj.incident_id, payload=_payload(None, target))


def active_locks(incident_id: int) -> list[dict]:
    rows = EditLock.objects.filter(incident_id=incident_id, expires_at__gt=timezone.now()).select_related("holder")
    return [_payload(lock, lock.target) for lock in rows]
