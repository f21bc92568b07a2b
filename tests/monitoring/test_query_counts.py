"""The monitoring page, its live part, an alert's page and the list endpoints answer in a fixed
number of queries whatever the number of mentions (10 or 10,000): counters, not recounts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import Alert, AlertCause, Mention, VolumeCounter

from .support import make_source, make_watchlist

pytestmark = pytest.mark.django_db

PAGES = {
    "page": "/cells/{cell}/monitoring/",
    "live": "/cells/{cell}/monitoring/live/",
    "alert": "/cells/{cell}/monitoring/alerts/{alert}/",
    "api-mentions": "/api/v1/cells/{cell}/monitoring/mentions/?page_size=50",
    "api-mentions-filtered": "/api/v1/cells/{cell}/monitoring/mentions/?watchlist={watchlist}&tone=-1&min_reach=1",
    "api-alerts": "/api/v1/cells/{cell}/monitoring/alerts/",
    "api-watchlists": "/api/v1/cells/{cell}/monitoring/watchlists/",
    "api-volume": "/api/v1/cells/{cell}/monitoring/watchlists/{watchlist}/volume/",
    "incident-panel": "/incidents/{incident}/monitoring/panel/",
}
# Pinned: a change here is a change of the page's cost, on purpose or not.
EXPECTED = {
    # session, user, membership, notifications badge...; watchlists, counters, stream (+ who answered
    # each: the response queue's prefetch), alerts; 3 charts
    "page": 14,
    "live": 9,
    "alert": 8,
    "api-mentions": 2,
    "api-mentions-filtered": 2,
    "api-alerts": 2,
    "api-watchlists": 3,
    "api-volume": 3,
    # session, user, incident and membership; alerts, watchlists, counters, stream (+ who answered)
    "incident-panel": 9,
}
# With more rows than one page, the paginator counts them: one COUNT, whatever the number.
MORE_THAN_A_PAGE = {"api-mentions": 1, "api-mentions-filtered": 1}


def build(cell, count: int, incident) -> dict:
    source = make_source(cell)
    watchlists = [make_watchlist(cell, name=f"W{n}") for n in range(3)]
    now = timezone.now()
    Mention.objects.bulk_create(
        Mention(
            source=source,
            cell=cell,
            external_id=str(n),
            text=f"Durand mention {n}",
            published_at=now - timedelta(seconds=n),
            author_handle=f"a{n}",
            author_reach=n,
            tone=-1 if n % 3 == 0 else 0,
            matched={str(watchlists[n % 3].pk): ["durand"]},
        )
        for n in range(count)
    )
    VolumeCounter.objects.bulk_create(
        VolumeCounter(watchlist=w, minute=(now - timedelta(minutes=m)).replace(second=0, microsecond=0), count=5)
        for w in watchlists
        for m in range(min(count, 1440))
    )
    alert = Alert.objects.create(
        cell=cell, watchlist=watchlists[0], cause=AlertCause.VOLUME, evidence={"count": count, "top_mentions": []}
    )
    Alert.objects.create(
        cell=cell, watchlist=watchlists[1], cause=AlertCause.REACH, status="escalated", incident=incident
    )
    return {"cell": cell.pk, "alert": alert.pk, "watchlist": watchlists[0].pk, "incident": incident.pk}


def counts(user, ids) -> dict:
    page_client, api_client = Client(), APIClient()
    page_client.force_login(user)
    api_client.force_authenticate(user)
    result = {}
    for name, url in PAGES.items():
        client = api_client if name.startswith("api") else page_client
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(**ids))
        assert response.status_code == 200, (name, response.status_code)
        result[name] = len(queries)
    return result


@pytest.mark.parametrize("count", [10, 10_000])
def test_query_counts_do_not_grow_with_mentions(cell, cell_admin, incident, count):
    expected = {name: value + (MORE_THAN_A_PAGE.get(name, 0) if count > 50 else 0) for name, value in EXPECTED.items()}
    assert counts(cell_admin, build(cell, count, incident)) == expected
