"""E-mail delivery of notifications: the Notification rows are the outbox.

Each e-mail is claimed with a conditional UPDATE (pending -> sent) in the same
transaction that sends it. A second run, a second worker or the periodic sweep
finds it already sent; a worker killed before the commit leaves it pending, and
the sweep sends it later. (Only a crash between the SMTP hand-off and the
commit, a window of one statement, could duplicate it.)
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

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
        with translation.override(settings.LANGUAGE_CODE):
            send_mail(
                subject=notification.title,
                message=_email_body(notification),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.user.email],
                fail_silently=False,
            )
    return True


def _email_body(notification: Notification) -> str:
    # The link is a path, as in the escalation e-mails of incidents.tasks: the
    # settings know no public base URL yet.
    return f"{notification.body}\n\n{notification.link}".strip()


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
