"""The rendered crisis log of the workspace is kept per process, keyed by the incident's
event sequence (issue 12): a reload reads and renders it once; any change shows at once."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, users):
    def login(key, language="en"):
        client.force_login(users[key])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return login


def page(client, incident):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_reload_reads_the_log_once_and_a_new_entry_shows_at_once(as_user, incident, users):
    services.log_entry_add(actor=users["member"], incident=incident, text="First entry")
    client = as_user("member")
    first, first_queries = page(client, incident)
    again, again_queries = page(client, incident)
    assert again.count("First entry") == first.count("First entry") == 1
    assert again_queries == first_queries - 2  # the log page and its corrections: not read
    services.log_entry_add(actor=users["member"], incident=incident, text="Second entry")
    after, after_queries = page(client, incident)
    assert "Second entry" in after and after_queries == first_queries


def test_each_role_and_language_gets_its_own_log(as_user, incident, users):
    services.log_entry_add(actor=users["member"], incident=incident, text="An entry")
    member_en, _ = page(as_user("member"), incident)
    observer_en, _ = page(as_user("observer"), incident)
    member_fr, _ = page(as_user("member", "fr"), incident)
    assert "Correct this entry" in member_en
    assert "Correct this entry" not in observer_en
    assert "Correct this entry" not in member_fr and "Rectifier" in member_fr


def test_the_live_fragment_shares_the_page_log(as_user, incident, users):
    services.log_entry_add(actor=users["member"], incident=incident, text="Shared entry")
    client = as_user("member")
    page(client, incident)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("incidents:panel", args=[incident.pk, "log"]))
    assert response.status_code == 200 and "Shared entry" in response.content.decode()
    assert not any(
        "incidents_logentry" in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT 50" in q["sql"]
        for q in queries.captured_queries
    )
