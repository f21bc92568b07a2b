"""Overdue queue items through a real Celery worker (another process, Redis broker, PostgreSQL).

The reminder job runs in the worker: the assignee is told once; the job delivered
again (a redelivery, a second beat) tells nobody twice.
"""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from response_queue import services
from response_queue.models import QueueItem
from response_queue.tasks import process_overdue_items
from tests.response_queue.conftest import make_mention

from .test_celery_worker import wait_until, worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_worker_reminds_an_overdue_item_once(worker, cell, users, incident):  # noqa: F811
    item = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell).pk)
    services.claim(actor=users["member2"], item=item)
    past = timezone.now() - datetime.timedelta(minutes=5)
    QueueItem.objects.filter(pk=item.pk).update(due_at=past, next_reminder_at=past)

    process_overdue_items.delay()
    told = Notification.objects.filter(data__wording="response.overdue")
    wait_until(lambda: told.exists(), worker, what="the overdue reminder")
    # Twice more: the solo worker runs them in order; the marker item's reminder comes after them.
    process_overdue_items.delay()
    process_overdue_items.delay()
    marker = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell, "marker").pk)
    QueueItem.objects.filter(pk=marker.pk).update(due_at=past, next_reminder_at=past)
    process_overdue_items.delay()
    wait_until(lambda: told.filter(dedupe_key=f"response-overdue:{marker.pk}").exists(), worker, what="the marker")

    mine = told.filter(dedupe_key=f"response-overdue:{item.pk}")
    assert list(mine.values_list("user__username", "count")) == [("mia", 1)]
    assert (
        incident.log_entries.filter(kind="response", data__action="overdue_reminder", data__item=item.pk).count() == 1
    )
