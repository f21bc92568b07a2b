"""Who may do what, page and API: outsiders get 404, observers 403 (the directory is personal data),
members read and edit, managers brief, export and erase. Query counts of the lists are pinned."""

import pytest
from django.conf import settings

from relays import services
from relays.models import Relay
from tests.facts.helpers import eager_celery

from .conftest import add_relay

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cell, users, incident, live_statement, django_capture_on_commit_callbacks):
    jane = add_relay(users["member"], cell, "Jane", handles=[{"network": "x", "handle": "jane"}])
    group = services.list_save(actor=users["member"], cell=cell, name="Partners", relays=[jane.pk])
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        version = live_statement.versions.get(status="published")
        briefing = services.brief(actor=users["manager"], version=version, relays=[jane.pk])
    return {
        "cell": cell.pk,
        "relay": jane.pk,
        "list": group.pk,
        "incident": incident.pk,
        "statement": live_statement.pk,
        "briefing": briefing.pk,
        "delivery": briefing.deliveries.get().pk,
    }


PAGES = [
    # (url, minimum role for GET)
    ("/cells/{cell}/relays/", "member"),
    ("/cells/{cell}/relays/{relay}/", "member"),
    ("/cells/{cell}/relays/{relay}/export/", "manager"),
    ("/cells/{cell}/relays/lists/{list}/", "member"),
    ("/incidents/{incident}/statements/{statement}/relays/", "member"),
    ("/incidents/{incident}/statements/{statement}/relays/panel/", "member"),
]
API_READS = [
    ("/api/v1/cells/{cell}/relays/", "member"),
    ("/api/v1/cells/{cell}/relays/{relay}/", "member"),
    ("/api/v1/cells/{cell}/relays/{relay}/history/", "member"),
    ("/api/v1/cells/{cell}/relays/{relay}/export/", "manager"),
    ("/api/v1/cells/{cell}/relay-lists/", "member"),
    ("/api/v1/cells/{cell}/relay-lists/{list}/", "member"),
    ("/api/v1/incidents/{incident}/briefings/", "member"),
    ("/api/v1/incidents/{incident}/briefings/{briefing}/", "member"),
]
RANK = ["observer", "member", "manager", "admin"]


def _expected(role: str, minimum: str) -> int:
    if role == "outsider":
        return 404
    return 200 if RANK.index(role) >= RANK.index(minimum) else 403


@pytest.mark.parametrize("url,minimum", PAGES)
@pytest.mark.parametrize("role", ["outsider", "observer", "member", "manager"])
def test_pages(client, users, world, url, minimum, role):
    client.force_login(users[role])
    assert client.get(url.format(**world)).status_code == _expected(role, minimum)


@pytest.mark.parametrize("url,minimum", API_READS)
@pytest.mark.parametrize("role", ["outsider", "observer", "member", "manager"])
def test_api_reads(api, users, world, url, minimum, role):
    assert api(users[role]).get(url.format(**world)).status_code == _expected(role, minimum)


API_WRITES = [
    # (method, url, body, minimum role, success code)
    ("post", "/api/v1/cells/{cell}/relays/", {"name": "New", "kind": "expert"}, "member", 201),
    ("patch", "/api/v1/cells/{cell}/relays/{relay}/", {"reach": 5000}, "member", 200),
    ("post", "/api/v1/cells/{cell}/relays/{relay}/bounced/", {}, "member", 200),
    ("post", "/api/v1/cells/{cell}/relays/{relay}/erase/", {}, "manager", 200),
    ("post", "/api/v1/cells/{cell}/relay-lists/", {"name": "Experts", "relays": []}, "member", 201),
    ("patch", "/api/v1/cells/{cell}/relay-lists/{list}/", {"name": "Renamed"}, "member", 200),
    ("delete", "/api/v1/cells/{cell}/relay-lists/{list}/", None, "member", 204),
    (
        "post",
        "/api/v1/incidents/{incident}/briefings/",
        {"statement": "{statement}", "relays": ["{relay}"]},
        "manager",
        201,
    ),
    ("post", "/api/v1/incidents/{incident}/briefings/{briefing}/deliveries/{delivery}/relayed/", {}, "member", 200),
]


def _fill(body, world):
    if isinstance(body, dict):
        return {k: _fill(v, world) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, world) for v in body]
    if isinstance(body, str) and body.startswith("{"):
        return int(body.format(**world))
    return body


@pytest.mark.parametrize("method,url,body,minimum,ok", API_WRITES)
@pytest.mark.parametrize("role", ["outsider", "observer", "member", "manager"])
def test_api_writes(api, users, world, method, url, body, minimum, ok, role, django_capture_on_commit_callbacks):
    client = api(users[role])
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(url.format(**world), _fill(body, world), format="json")
    expected = _expected(role, minimum)
    assert response.status_code == (ok if expected == 200 else expected), response.content


@pytest.mark.parametrize("role", ["outsider", "observer", "member"])
def test_page_writes_refused(client, users, world, role):
    client.force_login(users[role])
    url = "/incidents/{incident}/statements/{statement}/relays/".format(**world)
    assert client.post(url, {"relays": [world["relay"]]}).status_code == (404 if role == "outsider" else 403)
    erase = "/cells/{cell}/relays/{relay}/".format(**world)
    assert client.post(erase, {"erase": "1"}).status_code == (404 if role == "outsider" else 403)
    if role != "member":
        directory = "/cells/{cell}/relays/".format(**world)
        assert client.post(directory, {"name": "X", "kind": "expert", "consent": "unknown"}).status_code in (403, 404)
    assert Relay.objects.filter(erased_at__isnull=False).count() == 0


def _many(cell, users, n):
    Relay.objects.bulk_create([Relay(cell=cell, name=f"Relay {i:05d}", kind="influencer") for i in range(n)])


def test_query_counts_do_not_grow_with_the_directory(api, client, cell, users, world, django_assert_num_queries):
    client.force_login(users["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    member_api = api(users["member"])
    # session, user, membership x2 (page + context), relays, handles, lists, count
    with django_assert_num_queries(9) as small:
        assert client.get(f"/cells/{cell.pk}/relays/").status_code == 200
    # The whole list on the first page: its length is the count, no COUNT (issue 12).
    with django_assert_num_queries(3):
        assert member_api.get(f"/api/v1/cells/{cell.pk}/relays/").status_code == 200
    _many(cell, users, 300)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(f"/cells/{cell.pk}/relays/").status_code == 200
    with django_assert_num_queries(4):  # a full page: + the COUNT, for the page links
        assert member_api.get(f"/api/v1/cells/{cell.pk}/relays/").status_code == 200
