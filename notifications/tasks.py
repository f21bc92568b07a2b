"""E-mail delivery of notifications: the Notification rows are the outbox.

Each e-mail is claimed with a conditional UPDATE (pending -> sent) in the same
transaction that sends it. A second run, a second worker or the periodic sweep
finds it already sent; a worker killed before the commit leaves it pending, and
the sweep sends it later. Each mail is worded for its recipient (their language
if they chose one, their time zone) and links to the site by its absolute
address. (Only a crash between the SMTP hand-off and the commit, a window of
one statement, could duplicate it.)
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.reading import as_read_by
from core.links import absolute_url
from incidents import crisislog
from incidents.models import LevelChangeNotice, LogEntry, LogKind

from .links import target_urls
from .models import EmailStatus, Notification

logger = logging.getLogger(__name__)

# The on_commit task normally sends within seconds; the sweep leaves it that time.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 200


def deliver_email(notification_id: int) -> bool:
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.SENT, emailed_at=timezone.now()
        )
        if not claimed:
            return False
        notification = Notification.objects.select_related("user").get(pk=notification_id)
        with as_read_by(notification.user):
            title, body = notification.shown
            send_mail(
                subject=title,
                message=_email_body(notification, body),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.user.email],
                fail_silently=False,
            )
    return True


def _email_body(notification: Notification, body: str) -> str:
    """The text, then the absolute address of what it is about (a path is no link in a mail reader)."""
    link = target_urls([notification])[notification.pk]
    return f"{body}\n\n{absolute_url(link)}".strip()


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    return sum(deliver_email(pk) for pk in notification_ids)


@shared_task(acks_late=True)
def send_pending_emails() -> int:
    """Periodic sweep: whatever the on_commit task did not send (lost message, dead worker)."""
    cutoff = timezone.now() - SWEEP_GRACE
    ids = list(
        Notification.objects.filter(email_status=EmailStatus.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = sum(deliver_email(pk) for pk in ids)
    if sent:
        logger.info("Sent %s pending notification e-mails.", sent)
    return sent


# The name it had when incidents sent the escalation e-mails itself: tasks already queued
# under that name at an upgrade still run.
@shared_task(acks_late=True, name="incidents.tasks.notify_level_change")
def notify_level_change(entry_id: int) -> int:
    """E-mail the cell that an incident went up to alert or crisis: the notices of the bell
    (notifications.escalation), through the same outbox as every other notice, each worded
    for its reader, one per e-mail address; then the crisis log records it.

    Idempotent: the LevelChangeNotice row (one per log entry) is the claim, and each mail is
    claimed like any other (deliver_email). If the worker dies before commit everything rolls
    back and the redelivered task sends again (at least once); once committed, a rerun does nothing.
    """
    from .escalation import dedupe_key

    entry = LogEntry.objects.select_related("incident").filter(pk=entry_id).first()
    if entry is None or entry.kind != LogKind.LEVEL_CHANGED:
        return 0
    try:
        with transaction.atomic():
            notice = LevelChangeNotice.objects.create(entry=entry)
            rows = (
                Notification.objects.filter(dedupe_key=dedupe_key(entry.pk), user__is_active=True)
                .exclude(user__email="")
                .select_related("user")
                .order_by("user__email", "user_id")
            )
            by_email = {}
            for row in rows:
                by_email.setdefault(row.user.email, row)  # one mail per address
            ids = [row.pk for row in by_email.values()]
            Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.PENDING)
            sent = sum(deliver_email(pk) for pk in ids)
            notice.recipients = sent
            notice.save(update_fields=["recipients"])
            crisislog.append_entry(
                incident=entry.incident,
                kind=LogKind.NOTIFICATION,
                data={"entry": entry.pk, "recipients": sent},
            )
    except IntegrityError:
        logger.info("Level change %s already notified; nothing to do.", entry_id)
        return 0
    return sent
