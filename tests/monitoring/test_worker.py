"""Real Celery worker, Redis broker and PostgreSQL: a file import uploaded through the page runs
in the worker with its progress written chunk by chunk; a spike ingested through the API opens
its alert from the after-commit task."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring import imports
from monitoring.models import Alert, AlertCause, ImportJob, ImportStatus, Mention

from ..integration.test_celery_worker import wait_until, worker  # noqa: F401  (fixture)
from .support import make_source, make_token, make_watchlist

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_imports_and_alerts_in_the_worker(worker, cell, users):  # noqa: F811
    """One worker for both (the suite's worker fixture starts one per test: a few seconds each)."""
    an_uploaded_import_runs_in_the_worker_with_progress(worker, cell, users)
    a_spike_through_the_api_opens_its_alert_in_the_worker(worker, cell, users)


def an_uploaded_import_runs_in_the_worker_with_progress(worker, cell, users):  # noqa: F811
    rows = ["Id,Content,Date,Author,Followers"] + [
        f"p{n},Durand message {n},2026-12-01T10:00:00Z,user{n},{n}" for n in range(2 * imports.CHUNK + 500)
    ]
    rows.append("bad,,2026-12-01T10:00:00Z,x,1")
    upload = io.BytesIO("\n".join(rows).encode())
    upload.name = "big.csv"
    client = Client()
    client.force_login(users["member"])
    response = client.post(f"/cells/{cell.pk}/monitoring/imports/new/", {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    seen = set()

    def finished():
        current = ImportJob.objects.defer("content").get(pk=job.pk)
        seen.add(current.processed)
        return current.status == ImportStatus.DONE

    wait_until(finished, worker, timeout=120, what="the import to finish")
    job = ImportJob.objects.defer("content").get(pk=job.pk)
    assert (job.kept, job.error_count, job.processed, job.total) == (2 * imports.CHUNK + 500, 1, job.total, 4501)
    missing = {"code": "missing", "params": {"field": "Content"}, "reason": "Content is missing."}
    assert job.errors == [{"row": 4501, **missing}]
    assert job.error_lines == [(4501, "Il manque Content.")]
    assert Mention.objects.count() == job.kept
    page = client.get(f"/cells/{cell.pk}/monitoring/imports/{job.pk}/progress/").content.decode()
    assert 'value="100"' in page and "4500" in page


def a_spike_through_the_api_opens_its_alert_in_the_worker(worker, cell, users):  # noqa: F811
    watchlist = make_watchlist(cell, spike_min_count=30, spike_factor=3)
    key = make_token(make_source(cell))
    now = timezone.now()
    batch = [
        {
            "external_id": f"s{n}",
            "text": "Le sérum Durand brûle",
            "published_at": (now - timedelta(seconds=n)).isoformat(),
            "author_handle": f"a{n}",
            "author_reach": 10,
        }
        for n in range(40)
    ]
    response = APIClient().post("/api/v1/mentions/batch/", batch, format="json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.json()["accepted"] == 40
    wait_until(lambda: Alert.objects.filter(watchlist=watchlist).exists(), worker, timeout=60, what="the alert")
    alert = Alert.objects.get(watchlist=watchlist, cause=AlertCause.VOLUME)
    assert alert.evidence["count"] == 40 and alert.evidence["top_mentions"]
