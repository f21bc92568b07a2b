"""The monitoring pages show strangers' text escaped, link only http(s) addresses, and are whole
pages (title, cell, the live part) in French and English."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.models import Alert, AlertCause, Mention

from .support import make_source, make_watchlist

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> Durand'


@pytest.fixture
def page(cell, member):
    watchlist = make_watchlist(cell)
    source = make_source(cell, name="<b>Outil</b>")
    for n, url in enumerate(["javascript:alert(1)", "https://social.example/p/1", "data:text/html,hi"]):
        Mention.objects.create(
            source=source,
            cell=cell,
            external_id=str(n),
            text=HOSTILE,
            author_handle='"><svg onload=alert(1)>',
            author_name="<i>x</i>",
            url=url,
            published_at=timezone.now(),
            matched={str(watchlist.pk): ["durand"]},
        )
    alert = Alert.objects.create(
        cell=cell,
        watchlist=watchlist,
        cause=AlertCause.VOLUME,
        evidence={
            "count": 3,
            "baseline": 1,
            "window_minutes": 15,
            "negative_share": 0.5,
            "baseline_negative_share": 0.1,
            "co_terms": [["<b>boom</b>", 3]],
            "top_mentions": [{"author_handle": "<u>h</u>", "author_reach": 1, "text": HOSTILE, "tone": -1}],
        },
    )
    client = Client()
    client.force_login(member)
    return client, alert


@pytest.mark.parametrize("language", ["fr", "en"])
def test_hostile_text_is_escaped_and_only_http_links_are_made(page, cell, language):
    client, alert = page
    for url in [
        f"/cells/{cell.pk}/monitoring/",
        f"/cells/{cell.pk}/monitoring/live/",
        f"/cells/{cell.pk}/monitoring/alerts/{alert.pk}/",
    ]:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>boom"):
            assert raw not in html
        assert "&lt;script&gt;" in html
        assert 'href="javascript:' not in html and 'href="data:' not in html
    html = client.get(f"/cells/{cell.pk}/monitoring/").content.decode()
    assert 'href="https://social.example/p/1"' in html


@pytest.mark.parametrize(("language", "title"), [("fr", "Veille"), ("en", "Monitoring")])
def test_the_page_is_whole_in_both_languages(page, cell, language, title):
    client, _alert = page
    html = client.get(f"/cells/{cell.pk}/monitoring/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(r"<title>\s*" + title + r" · CrisisCell</title>", html)
    assert f'data-cell-id="{cell.pk}"' in html
    assert html.count('id="monitoring-live"') == 1


@pytest.mark.parametrize(
    ("language", "date", "followers"),
    [("fr", r"\d{1,2} \S+ \d{4} \d\d:\d\d \S+", "abonnés"), ("en", r"\d{1,2} \S+ \d{4}, \d\d:\d\d \S+", "followers")],
)
def test_charts_and_mentions_speak_the_readers_language(page, cell, language, date, followers):
    """The chart's time axis in the language's own format (as every date of the app), not
    US-style 12/02/2026 7:30 p.m.; the figures around the SVG are HTML (readable on a phone);
    the live indicator is the app's (a dot and a word), under the title."""
    client, _alert = page
    html = client.get(f"/cells/{cell.pk}/monitoring/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    axis = re.findall(r'<div class="chart-axis" aria-hidden="true"><span>(.*?)</span><span>(.*?)</span></div>', html)
    assert axis and all(re.fullmatch(date, start) and re.fullmatch(date, end) for start, end in axis), axis
    assert not re.search(r"\d\d/\d\d/\d{4}|[ap]\.m\.", html)
    assert 'preserveAspectRatio="none"' in html and "<text" not in html
    assert f"{followers}</span>" in html
    assert html.count('class="live-status" data-monitoring-state') == 1
