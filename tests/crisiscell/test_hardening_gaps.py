"""The smaller gaps of issue 10: each was seen accepted or answered with a 500, an HTML page or a cache entry."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from facts.models import Fact
from incidents.models import Incident, LogEntry

from ..facts.helpers import make_fact
from ..incidents.support import fast_password_hasher, state_of  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def nested(levels: int) -> bytes:
    return b'{"text": ' + b"[" * levels + b"]" * levels + b', "title": "x", "cell": 1}'


@pytest.mark.parametrize("levels", [10_000, 100])
def test_deeply_nested_json_is_a_400_not_a_500(users, incident, levels):
    client = api_as(users["member"])
    for url in ("/api/v1/incidents/", f"/api/v1/incidents/{incident.pk}/log/"):
        before = LogEntry.objects.count()
        response = client.post(url, data=nested(levels), content_type="application/json")
        assert response.status_code == 400, response.content[:200]
        assert "nested too deeply" in response.json()["detail"]
        assert LogEntry.objects.count() == before


def test_an_infinite_number_is_refused_not_stored_as_inf(users, incident):
    client = api_as(users["member"])
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/log/",
        data=b'{"text": 1e999999, "category": "information"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not LogEntry.objects.filter(text__in=["inf", "Infinity"]).exists()


def test_a_10_mb_api_body_gets_a_json_413(users, incident):
    client = api_as(users["member"])
    body = json.dumps({"text": "x" * (10 * 1024 * 1024), "category": "information"})
    response = client.post(f"/api/v1/incidents/{incident.pk}/log/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] and response.json()["limit_bytes"] > 0


def test_the_token_endpoint_has_a_small_cap(users):
    body = json.dumps({"username": "mona", "password": "x" * 20_000})
    response = APIClient().post("/api/v1/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 413


def test_a_too_large_page_form_gets_the_apps_413_page(users, incident):
    client = Client()
    client.force_login(users["member"])
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/incidents/{incident.pk}/log/", {"text": "x" * 300_000, "category": "information"}, HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 413
    assert b"Request too large" in response.content


def test_a_form_body_that_is_not_utf8_is_refused(users, incident):
    client = Client()
    client.force_login(users["member"])
    before = LogEntry.objects.count()
    response = client.post(
        f"/incidents/{incident.pk}/log/",
        data=b"text=%FF%FEgarbage&category=information",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert LogEntry.objects.count() == before


def test_if_match_star_is_refused(users, incident):
    fact = make_fact(incident, users["member"])
    client = api_as(users["member"])
    url = f"/api/v1/incidents/{incident.pk}/facts/{fact.pk}/"
    response = client.patch(url, {"text": "Overwritten blind"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
    assert "If-Match: *" in response.json()["detail"]
    assert Fact.objects.get(pk=fact.pk).text == fact.text


@pytest.mark.parametrize("path", ["/", "/incidents/{pk}/", "/api/v1/incidents/", "/api/v1/incidents/{pk}/log/"])
def test_crisis_pages_and_the_api_are_not_stored_in_caches(users, incident, path):
    client = Client()
    client.force_login(users["observer"])
    response = client.get(path.format(pk=incident.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_post_to_a_read_only_page_is_a_405_and_changes_nothing(users, incident):
    client = Client()
    client.force_login(users["observer"])
    before = state_of(incident)
    for url in (f"/incidents/{incident.pk}/", "/"):
        response = client.post(url, {"title": "Hijacked", "level": "closed", "text": "x"})
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
    assert state_of(Incident.objects.get(pk=incident.pk)) == before
