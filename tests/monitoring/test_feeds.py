"""RSS/Atom polling against a real local HTTP server: conditional GET, idempotence, errors shown
on the source, back-off, and one broken source never stopping the others."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring import polling, tasks
from monitoring.models import Mention, SourceKind

from .local_http import FIXTURES
from .support import make_source, make_watchlist

pytestmark = pytest.mark.django_db
RSS = (FIXTURES / "feed.rss").read_bytes()


def feed_route(body, etag='"v1"', content_type="application/rss+xml"):
    def route(request):
        if request.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": content_type, "ETag": etag, "Last-Modified": "Tue, 01 Dec 2026 09:30:00 GMT"}, body

    return route


@pytest.fixture
def feed(cell, local_http):
    local_http.routes["/feed.rss"] = feed_route(RSS)
    return make_source(
        cell,
        name="Actu",
        kind=SourceKind.RSS,
        url=local_http.url + "/feed.rss",
        next_poll_at=timezone.now(),
        poll_interval_seconds=300,
    )


def test_a_feed_is_polled_with_a_conditional_get(cell, feed, local_http):
    watchlist = make_watchlist(cell)
    result = polling.poll(feed.pk)
    assert result.accepted == 2
    first = Mention.objects.get(external_id="news-1")
    assert first.text.startswith("Maison Durand : des clientes se plaignent de brûlures")
    assert "<b>" not in first.text and "<script>" not in first.text  # HTML reduced to text
    assert first.url == "https://news.example/durand-brulures" and first.language == "fr"
    assert str(watchlist.pk) in first.matched
    feed.refresh_from_db()
    assert feed.etag == '"v1"' and feed.last_success_at is not None and feed.failures == 0
    assert feed.next_poll_at > timezone.now() + timedelta(seconds=250)

    # Next poll: the validators are sent back and the 304 stores nothing.
    assert polling.poll(feed.pk, force=True).accepted == 0
    assert local_http.requests[-1].headers["if-none-match"] == '"v1"'
    assert local_http.requests[-1].headers["if-modified-since"] == "Tue, 01 Dec 2026 09:30:00 GMT"
    # A changed feed with the same items: no duplicate.
    local_http.routes["/feed.rss"] = feed_route(RSS, etag='"v2"')
    assert polling.poll(feed.pk, force=True).accepted == 0
    assert Mention.objects.count() == 2


def test_atom(cell, local_http):
    local_http.routes["/feed.atom"] = feed_route(
        (FIXTURES / "feed.atom").read_bytes(), content_type="application/atom+xml"
    )
    source = make_source(
        cell, name="Reviews", kind=SourceKind.RSS, url=local_http.url + "/feed.atom", next_poll_at=timezone.now()
    )
    assert polling.poll(source.pk).accepted == 1
    review = Mention.objects.get()
    assert review.external_id == "urn:review:77" and review.author_handle == "skincare_sam" and review.tone == -1


def test_a_source_that_is_not_due_is_not_polled(feed, local_http):
    feed.next_poll_at = timezone.now() + timedelta(minutes=3)
    feed.save()
    assert polling.poll(feed.pk) is None
    assert local_http.requests == []


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (lambda r: (200, {"Content-Type": "text/html"}, b"<html><body>Not a feed"), "Not a readable RSS/Atom feed"),
        (lambda r: (500, {}, b"boom"), "HTTP 500"),
        (lambda r: (429, {"Retry-After": "3600"}, b""), "HTTP 429"),
    ],
)
def test_errors_are_shown_on_the_source_and_back_off(feed, local_http, route, message):
    local_http.routes["/feed.rss"] = route
    assert polling.poll(feed.pk) is None
    feed.refresh_from_db()
    assert message in feed.last_error and feed.failures == 1 and feed.last_error_at is not None
    assert feed.next_poll_at >= timezone.now() + timedelta(seconds=590)  # 300 s x 2
    if "429" in message:
        assert feed.next_poll_at >= timezone.now() + timedelta(seconds=3590)


def test_an_unreachable_server_is_an_error_not_a_crash(cell, settings):
    settings.MONITORING_FETCH_PRIVATE_HOSTS = ["127.0.0.1"]  # port 9 there: nobody listens
    source = make_source(
        cell, name="Gone", kind=SourceKind.RSS, url="http://127.0.0.1:9/feed", next_poll_at=timezone.now()
    )
    assert polling.poll(source.pk) is None
    source.refresh_from_db()
    assert "reach" in source.last_error or "Connection" in source.last_error


def test_a_broken_source_does_not_stop_the_others(cell, feed, local_http, settings):
    from crisiscell.celery import app

    broken = make_source(
        cell,
        name="Broken",
        kind=SourceKind.RSS,
        url=local_http.url + "/missing",
        next_poll_at=timezone.now() - timedelta(minutes=1),
    )
    app.conf.task_always_eager = True
    try:
        assert tasks.poll_due_sources() == 2
    finally:
        app.conf.task_always_eager = False
    broken.refresh_from_db()
    feed.refresh_from_db()
    assert "HTTP 404" in broken.last_error
    assert feed.last_success_at is not None and Mention.objects.filter(source=feed).count() == 2
