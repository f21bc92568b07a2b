"""Writing notifications. `notify` runs inside the caller's transaction: the
notifications exist exactly when the event that caused them was committed.
E-mail goes out after commit (the rows are the outbox; see tasks.py)."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from realtime import broadcast

from . import registry
from .models import EmailStatus, Notification
from .wording import exercise_title, texts


def cell_members(cell, roles=None):
    """Active members of the cell (optionally only those with one of `roles`).

    Recipients are always filtered through this: nobody outside the cell hears of its incidents.
    """
    users = get_user_model().objects.filter(is_active=True, memberships__cell=cell)
    if roles is not None:
        users = users.filter(memberships__role__in=list(roles))
    return users.distinct()


@transaction.atomic  # a savepoint in the caller's transaction; alone, it locks the rows it updates
def notify(
    *,
    users: Iterable,
    cell,
    kind: str,
    wording: str = "",
    params: dict | None = None,
    title: str = "",
    body: str = "",
    incident=None,
    link: str = "",
    data: dict | None = None,
    dedupe_key: str = "",
    occurrence: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct active user; their e-mails are queued after commit.

    `wording` and `params` (notifications.wording) let each reader read it in their
    language; the stored title and body are worded in the default one (the admin's).
    `title` and `body` alone are texts as they are.

    `dedupe_key` names what it is about: one row per person and key. With an
    `occurrence` (a reminder's n-th sending), a person who already has that row gets
    it updated rather than a second one in their bell: counted once more, moved to
    now, unread again, worded afresh, e-mailed again. The same occurrence twice (a
    retried task) changes nothing. `email=False`: someone else e-mails it.
    Returns the rows created or updated."""
    if kind not in registry.KINDS:
        # A programming error: every app registers the kinds it sends at startup.
        raise ValueError(f"{kind!r} is not a registered notification kind (notifications.registry.register_kind).")
    if wording:
        with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.DEFAULT_USER_TIMEZONE):
            title, body = texts(wording, params or {})
        data = {**(data or {}), "wording": wording, "params": params or {}}
    data = {**(data or {}), **({"sending": occurrence} if occurrence else {})}
    if incident is not None and incident.is_exercise:
        # A drill's notices and e-mails say so wherever they are shown (notifications.wording.shown).
        data["exercise"] = True
        title = exercise_title(title)
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    now = timezone.now()
    fields = {
        "cell": cell,
        "incident": incident,
        "kind": kind,
        "title": title[:200],
        "body": body,
        "link": link,
        "data": data,
        "created_at": now,
    }
    existing = {}
    if dedupe_key and occurrence:
        rows = Notification.objects.select_for_update().filter(user_id__in=recipients, dedupe_key=dedupe_key)
        existing = {row.user_id: row for row in rows}
    written, new_rows = [], []
    for user in sorted(recipients.values(), key=lambda u: u.pk):
        status = EmailStatus.SEPARATE if not email else EmailStatus.PENDING if user.email else EmailStatus.NONE
        row = existing.get(user.pk)
        if row is None:
            new_rows.append(Notification(user=user, dedupe_key=dedupe_key, email_status=status, **fields))
        elif (row.data or {}).get("sending") != occurrence:
            for name, value in {**fields, "read_at": None, "email_status": status, "emailed_at": None}.items():
                setattr(row, name, value)
            row.count += 1
            row.save()
            written.append(row)
    written += Notification.objects.bulk_create(new_rows)
    if written:
        broadcast.notifications_changed(user_ids={row.user_id for row in written})  # their open pages' badges
    ids = [row.pk for row in written if row.email_status == EmailStatus.PENDING]
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return written


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when `ids` is None); returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    if changed:
        broadcast.notifications_changed(user_ids=[user.pk])  # the user's other tabs update their badge
    return changed
