"""Scans running at once on PostgreSQL (two beat runs overlapping, or two workers) put a mention
that waited for an incident in its queue exactly once: the rows are claimed with SKIP LOCKED."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Incident
from response_queue import services, tasks
from response_queue.models import QueueItem, QueueRule, WaitingMention, WaitingState
from tests.response_queue.conftest import make_mention
from tests.services_check import require_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCANS = 8


def test_overlapping_scans_queue_each_waiting_mention_once(cell, users, incident):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    Incident.objects.filter(pk=incident.pk).update(level="closed")
    QueueRule.objects.create(cell=cell, name="complaints", kind="terms", terms="remboursez")
    for n in range(30):
        make_mention(cell, f"remboursez {n}", at=timezone.now() - datetime.timedelta(minutes=n + 1))
    tasks.scan_mentions()
    assert WaitingMention.objects.filter(state=WaitingState.WAITING).count() == 30
    opened = incidents.incident_create(actor=users["manager"], cell=cell, title="Open")

    barrier, counts = threading.Barrier(SCANS), []

    def scan():
        try:
            barrier.wait()
            counts.append(services.queue_waiting(cell_id=cell.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(SCANS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 30
    assert QueueItem.objects.filter(incident=opened).count() == 30
    assert not WaitingMention.objects.filter(state=WaitingState.WAITING).exists()
    assert set(WaitingMention.objects.values_list("item__incident_id", flat=True)) == {opened.pk}
