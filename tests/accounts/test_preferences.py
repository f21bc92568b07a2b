"""The preferences page (time zone) and how dates are shown with it."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

URL = reverse("accounts:preferences")


@pytest.fixture
def member_client(client, users):
    client.force_login(users["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_preferences_page_lists_every_time_zone(member_client):
    response = member_client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Europe/Paris">Paris</option>' in content
    assert '<option value="America/Sao_Paulo">Sao Paulo</option>' in content
    assert '<optgroup label="Europe">' in content
    assert content.count("<option") >= len(zoneinfo.available_timezones())


def test_preferences_page_is_linked_from_the_top_bar(member_client):
    assert f'href="{URL}"' in member_client.get(reverse("incidents:list")).content.decode()


def test_choose_a_time_zone(member_client, users):
    response = member_client.post(URL, {"timezone": "America/New_York"})
    assert response.status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].timezone == "America/New_York"
    page = member_client.get(URL).content.decode()
    assert "Saved: times are now shown in America/New_York." in page
    assert '<option value="America/New_York" selected>' in page


def test_back_to_the_organisation_default(member_client, users):
    users["member"].timezone = "Asia/Tokyo"
    users["member"].save()
    assert member_client.post(URL, {"timezone": ""}).status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].timezone == ""


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "europe/paris", "../../etc/passwd", "x" * 100])
def test_unknown_time_zone_is_a_400_and_changes_nothing(member_client, users, value):
    response = member_client.post(URL, {"timezone": value})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    users["member"].refresh_from_db()
    assert users["member"].timezone == ""


def test_preferences_need_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_show_dates_in_the_chosen_zone(member_client, users, incident):
    member_client.post(URL, {"timezone": "Asia/Tokyo"})
    content = member_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    local = timezone.localtime(incident.created_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M} JST</time>" in content
    assert 'title="Asia/Tokyo"' in content


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("fr", "Europe/Paris", "23 nov. 2026 21:05 CET"),
        ("en", "Europe/Paris", "23 Nov 2026, 21:05 CET"),
        ("fr", "Europe/Paris", "23 nov. 2026 21:05 CET"),
        ("en", "America/New_York", "23 Nov 2026, 15:05 EST"),
        ("fr", "UTC", "23 nov. 2026 20:05 UTC"),
    ],
)
def test_when_filter_renders_a_time_element_with_the_zone(language, zone, expected):
    moment = datetime.datetime(2026, 11, 23, 20, 5, tzinfo=datetime.UTC)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        html = Template("{% load incidents_tags %}{{ moment|when }}").render(Context({"moment": moment}))
    assert html == f'<time datetime="2026-11-23T20:05:00Z" title="{zone}">{expected}</time>'


def test_when_filter_shows_a_dash_for_no_date():
    assert Template("{% load incidents_tags %}{{ nothing|when }}").render(Context({"nothing": None})) == "—"
