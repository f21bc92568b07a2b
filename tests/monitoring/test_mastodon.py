"""The Mastodon connector against a local server answering recorded JSON in Mastodon's format:
hashtag paging with since_id/max_id, search, rate-limit headers, 429."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring import polling
from monitoring.models import Mention, SourceKind

from .local_http import FIXTURES
from .support import make_source, make_watchlist

pytestmark = pytest.mark.django_db
PAGE1 = (FIXTURES / "mastodon_tag_page1.json").read_bytes()
PAGE2 = (FIXTURES / "mastodon_tag_page2.json").read_bytes()


def json_answer(body, **headers):
    return 200, {"Content-Type": "application/json", **headers}, body


@pytest.fixture
def hashtag(cell, local_http):
    return make_source(
        cell,
        name="Masto #durand",
        kind=SourceKind.MASTODON,
        url=local_http.url,
        config={"timeline": "hashtag", "query": "#durand"},
        next_poll_at=timezone.now(),
    )


def test_hashtag_timeline_pages_then_goes_on_from_since_id(cell, hashtag, local_http):
    make_watchlist(cell)

    def tag(request):
        if "max_id" in request.query:
            return json_answer(PAGE2)
        if "since_id" in request.query:
            return json_answer(b"[]")
        return json_answer(PAGE1, **{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"})

    local_http.routes["/api/v1/timelines/tag/durand"] = tag
    assert polling.poll(hashtag.pk).accepted == 45
    first, second = local_http.requests[:2]
    assert first.query["limit"] == ["40"] and "since_id" not in first.query
    assert second.query["max_id"] == [str(109000000000000006)]  # the oldest of the first page
    hashtag.refresh_from_db()
    assert hashtag.since_id == str(109000000000000045)
    status = Mention.objects.get(external_id=str(109000000000000045))
    assert status.author_handle == "u45@masto.example" and status.author_reach == 120
    assert status.likes == 135 and status.shares == 90 and status.replies == 45 and status.language == "fr"
    assert "<p>" not in status.text and "#durand" in status.text and status.matched

    polling.poll(hashtag.pk, force=True)
    assert local_http.requests[-1].query["since_id"] == [str(109000000000000045)]
    assert Mention.objects.count() == 45


def test_search_and_hostile_content(cell, local_http):
    local_http.routes["/api/v2/search"] = lambda r: json_answer((FIXTURES / "mastodon_search.json").read_bytes())
    source = make_source(
        cell,
        name="Masto search",
        kind=SourceKind.MASTODON,
        url=local_http.url,
        config={"timeline": "search", "query": "durand"},
        next_poll_at=timezone.now(),
    )
    assert polling.poll(source.pk).accepted == 1
    assert local_http.requests[0].query["type"] == ["statuses"] and local_http.requests[0].query["q"] == ["durand"]
    mention = Mention.objects.get()
    assert "<script>" not in mention.text and mention.author_reach == 250000


def test_rate_limit_exhausted_waits_for_the_reset(hashtag, local_http):
    reset = (timezone.now() + timedelta(minutes=20)).replace(microsecond=0)
    local_http.routes["/api/v1/timelines/tag/durand"] = lambda r: json_answer(
        PAGE1, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
    )
    assert polling.poll(hashtag.pk).accepted == 40  # the page it had, then it stops paging
    assert len(local_http.requests) == 1
    hashtag.refresh_from_db()
    assert hashtag.next_poll_at >= reset and hashtag.last_error == ""


def test_429_is_an_error_retried_after_the_reset(hashtag, local_http):
    reset = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    local_http.routes["/api/v1/timelines/tag/durand"] = lambda r: (
        429,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()},
        b'{"error": "Too many requests"}',
    )
    assert polling.poll(hashtag.pk) is None
    hashtag.refresh_from_db()
    assert "429" in hashtag.last_error and hashtag.next_poll_at >= reset


def test_an_answer_that_is_not_mastodon_is_an_error(hashtag, local_http):
    local_http.routes["/api/v1/timelines/tag/durand"] = lambda r: json_answer(json.dumps({"oops": 1}).encode())
    assert polling.poll(hashtag.pk) is None
    hashtag.refresh_from_db()
    assert "not a list of statuses" in hashtag.last_error
