import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import selectors, services, tasks
from notifications.models import EmailStatus, Notification

pytestmark = pytest.mark.django_db


def send(users, cell, **extra):
    return services.notify(users=users, cell=cell, kind="reminder", title="Review due", body="Body", **extra)


def test_one_notification_per_distinct_active_user(cell, users):
    users["member2"].is_active = False
    users["member2"].save()
    rows = send([users["member"], users["member"], users["member2"], users["manager"], None], cell)
    assert sorted(n.user.username for n in rows) == ["max", "mona"]


def test_people_without_an_address_get_no_email(cell, member):
    member.email = ""
    member.save()
    (row,) = send([member], cell)
    assert row.email_status == EmailStatus.NONE


def test_an_email_goes_out_once_however_often_it_is_delivered(cell, member, settings):
    settings.SITE_URL = "https://crisis.example.org"
    (row,) = send([member], cell, link="/incidents/1/")
    assert tasks.deliver_email(row.pk)
    assert not tasks.deliver_email(row.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["max@example.org"] and mail.outbox[0].subject == "Review due"
    # An absolute link: a path alone is no link in a mail reader.
    assert mail.outbox[0].body == "Body\n\nhttps://crisis.example.org/incidents/1/"
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENT and row.emailed_at is not None


def test_the_sweep_sends_what_the_after_commit_task_missed(cell, member, manager):
    old, new = send([member], cell)[0], send([manager], cell)[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert tasks.send_pending_emails() == 1  # the new one still has its after-commit task coming
    assert [m.to for m in mail.outbox] == [["max@example.org"]]
    assert Notification.objects.get(pk=new.pk).email_status == EmailStatus.PENDING


def test_a_failed_send_leaves_it_pending_for_the_sweep(cell, member, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_notifications.BrokenBackend"
    (row,) = send([member], cell)
    with pytest.raises(ConnectionError):
        tasks.deliver_email(row.pk)
    assert Notification.objects.get(pk=row.pk).email_status == EmailStatus.PENDING


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP down")


def test_the_same_key_cannot_notify_a_person_twice(cell, member):
    send([member], cell, dedupe_key="reminder:1:1:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        send([member], cell, dedupe_key="reminder:1:1:1")
    assert Notification.objects.count() == 1


def test_unread_count_and_mark_read_are_per_user(cell, member, manager):
    first, second = send([member], cell)[0], send([member], cell)[0]
    send([manager], cell)
    assert selectors.unread_count(member) == 2
    assert services.mark_read(user=manager, ids=[first.pk]) == 0  # not theirs
    assert services.mark_read(user=member, ids=[first.pk]) == 1
    assert selectors.unread_count(member) == 1
    assert services.mark_read(user=member) == 1
    assert selectors.unread_count(member) == 0 and selectors.unread_count(manager) == 1
    assert [n.pk for n in selectors.notifications_for(member)] == [second.pk, first.pk]


def test_a_notice_updated_before_its_email_went_out_is_emailed_once_with_the_latest_text(cell, member):
    def remind(occurrence, title):
        return services.notify(
            users=[member], cell=cell, kind="reminder", title=title, dedupe_key="reminder:7", occurrence=occurrence
        )

    (first,) = remind("7:1:1", "Review due")
    (second,) = remind("7:1:2", "Review overdue")  # before the first e-mail was delivered
    assert second.pk == first.pk and second.count == 2
    assert tasks.deliver_email(first.pk)
    assert not tasks.deliver_email(second.pk)  # the same row: already sent
    assert [m.subject for m in mail.outbox] == ["Review overdue"]
    # A later sending, after that e-mail went out, is e-mailed again.
    (third,) = remind("7:1:3", "Review still overdue")
    assert third.email_status == EmailStatus.PENDING
    assert tasks.deliver_email(third.pk)
    assert [m.subject for m in mail.outbox] == ["Review overdue", "Review still overdue"]
