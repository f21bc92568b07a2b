"""Every monitoring endpoint and page, for each role, a non-member and an anonymous visitor.

Reads: any member (observers included); acting on alerts: members; watchlists: managers;
sources and ingestion tokens: admins. A non-member gets 404 (we do not confirm that the
cell exists), a too-weak role 403, anonymous 401 (API) or the login page."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cells.models import Cell
from monitoring.models import Alert, AlertCause, IngestToken, ToneWord, Watchlist

from ..shared import SHARED, shared_fixture
from .support import make_source, make_watchlist

pytestmark = [pytest.mark.django_db, SHARED]
ROLES = ["admin", "manager", "member", "observer", "outsider", "anonymous"]


@shared_fixture
def scene(people):
    cell = Cell.objects.get(pk=people.cell)
    source = make_source(cell)
    watchlist = make_watchlist(cell)
    alert = Alert.objects.create(cell=cell, watchlist=watchlist, cause=AlertCause.VOLUME, evidence={"count": 3})
    token = IngestToken.objects.create(source=source, name="t", digest="d" * 64)
    return {
        "cell": cell.pk,
        "source": source.pk,
        "watchlist": watchlist.pk,
        "alert": alert.pk,
        "token": token.pk,
        "incident": people.incident,
        "tone_word": ToneWord.objects.create(cell=cell, word="arnaqueurs", polarity=-1).pk,
    }


def expect(*codes):
    return dict(zip(ROLES, codes, strict=True))


READ = expect(200, 200, 200, 200, 404, 401)
MEMBER_ACTS = expect(None, None, None, 403, 404, 401)  # None: allowed (the body decides the code)
MANAGER = expect(None, None, 403, 403, 404, 401)
ADMIN = expect(None, 403, 403, 403, 404, 401)

API = [
    ("get", "/api/v1/cells/{cell}/monitoring/mentions/", None, READ),
    ("get", "/api/v1/cells/{cell}/monitoring/watchlists/", None, READ),
    ("get", "/api/v1/cells/{cell}/monitoring/watchlists/{watchlist}/", None, READ),
    ("get", "/api/v1/cells/{cell}/monitoring/watchlists/{watchlist}/volume/", None, READ),
    ("post", "/api/v1/cells/{cell}/monitoring/watchlists/{watchlist}/watch/", {"watching": True}, READ),
    ("post", "/api/v1/cells/{cell}/monitoring/watchlists/", {"name": "New", "terms": "durand"}, MANAGER),
    ("patch", "/api/v1/cells/{cell}/monitoring/watchlists/{watchlist}/", {"spike_factor": 4}, MANAGER),
    ("get", "/api/v1/cells/{cell}/monitoring/alerts/", None, READ),
    ("get", "/api/v1/cells/{cell}/monitoring/alerts/{alert}/", None, READ),
    ("post", "/api/v1/cells/{cell}/monitoring/alerts/{alert}/dismiss/", {"reason": "bruit"}, MEMBER_ACTS),
    ("post", "/api/v1/cells/{cell}/monitoring/alerts/{alert}/escalate/", {"level": "watch"}, MEMBER_ACTS),
    ("get", "/api/v1/cells/{cell}/monitoring/sources/", None, ADMIN),
    ("post", "/api/v1/cells/{cell}/monitoring/sources/", {"kind": "api", "name": "Tool 2"}, ADMIN),
    ("get", "/api/v1/cells/{cell}/monitoring/ingest-tokens/", None, ADMIN),
    ("post", "/api/v1/cells/{cell}/monitoring/ingest-tokens/", {"source": "{source}", "name": "n"}, ADMIN),
    ("delete", "/api/v1/cells/{cell}/monitoring/ingest-tokens/{token}/", None, ADMIN),
    ("get", "/api/v1/cells/{cell}/monitoring/tone-words/", None, READ),
    ("post", "/api/v1/cells/{cell}/monitoring/tone-words/", {"word": "Durandgate", "polarity": -1}, MANAGER),
    ("delete", "/api/v1/cells/{cell}/monitoring/tone-words/{tone_word}/", None, MANAGER),
]
PAGES = [
    ("get", "/cells/{cell}/monitoring/", None, READ),
    ("get", "/cells/{cell}/monitoring/live/", None, READ),
    ("get", "/cells/{cell}/monitoring/alerts/{alert}/", None, READ),
    ("get", "/incidents/{incident}/monitoring/", None, READ),
    ("get", "/incidents/{incident}/monitoring/panel/", None, READ),
    ("get", "/cells/{cell}/monitoring/mentions/?q=durand&tone=-1", None, READ),
    ("get", "/cells/{cell}/monitoring/watchlists/new/", None, expect(200, 200, 403, 403, 404, 401)),
    ("get", "/cells/{cell}/monitoring/watchlists/{watchlist}/", None, expect(200, 200, 403, 403, 404, 401)),
    (
        "post",
        "/cells/{cell}/monitoring/watchlists/new/",
        {
            "name": "Nouvelle",
            "terms": "durand",
            "spike_factor": 3,
            "spike_min_count": 20,
            "negative_jump": 0.25,
            "reach_threshold": 1000,
        },
        MANAGER,
    ),
    ("get", "/cells/{cell}/monitoring/imports/new/", None, expect(200, 200, 200, 403, 404, 401)),
    ("post", "/cells/{cell}/monitoring/alerts/{alert}/dismiss/", {"reason": "bruit"}, MEMBER_ACTS),
    ("post", "/cells/{cell}/monitoring/alerts/{alert}/escalate/", {"level": "watch", "title": "T"}, MEMBER_ACTS),
]
OK = {"get": 200, "post": (200, 201), "patch": 200, "delete": 204}


def fill(value, scene):
    if isinstance(value, str):
        return value.format(**scene)
    if isinstance(value, dict):
        return {key: (int(fill(v, scene)) if v == "{source}" else v) for key, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body", "codes"), API, ids=[f"{m} {u}" for m, u, _b, _c in API])
def test_api(method, url, body, codes, role, users, scene):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(users[role])
    response = getattr(client, method)(fill(url, scene), fill(body, scene), format="json")
    expected = codes[role]
    if expected is None:
        allowed = OK[method]
        assert response.status_code in (allowed if isinstance(allowed, tuple) else (allowed,)), response.content
    else:
        assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body", "codes"), PAGES, ids=[f"{m} {u}" for m, u, _b, _c in PAGES])
def test_pages(method, url, body, codes, role, users, scene):
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    response = getattr(client, method)(fill(url, scene), fill(body, scene) or {})
    expected = codes[role]
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif expected is None:
        assert response.status_code == 302, response.content[:500]  # done: redirected
    else:
        assert response.status_code == expected


def test_an_outsider_sees_nothing_of_another_cell_in_lists(users, scene, other_cell):
    client = APIClient()
    client.force_authenticate(users["outsider"])
    make_watchlist(other_cell, name="Theirs")
    response = client.get(f"/api/v1/cells/{other_cell.pk}/monitoring/watchlists/")
    assert [w["name"] for w in response.json()["results"]] == ["Theirs"]
    assert Watchlist.objects.count() == 2
