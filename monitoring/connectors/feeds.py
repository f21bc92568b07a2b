"""RSS and Atom feeds (news sites, Google Alerts-style feeds, blogs, review sites) with feedparser.

Conditional GET: the ETag and Last-Modified of the previous answer are sent back, and a
304 costs nothing. Items become mentions: the entry's id (or link) is the external id,
so an item seen again only updates, never duplicates. Feed HTML is reduced to text
(it is shown escaped anyway)."""

import calendar
from datetime import UTC, datetime

import feedparser
from django.utils.html import strip_tags

from ..ingest import MentionIn
from . import http


def _published(entry, now: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            return min(moment, now)
    return now


def _text(entry) -> str:
    title = strip_tags(entry.get("title", "")).strip()
    summary = strip_tags(entry.get("summary", "")).strip()
    return "\n".join(part for part in (title, summary) if part)[:20_000]


def fetch(source, now: datetime) -> tuple[list[MentionIn], dict]:
    """(records, changes to the source). Raises http.FetchError (shown on the source)."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    answer = http.get(source.url, headers)
    if answer.status == 304:
        return [], {}
    feed = feedparser.parse(answer.body)
    if feed.bozo and not feed.entries:
        raise http.FetchError("not_a_feed", detail=str(feed.get("bozo_exception", ""))[:200])
    language = (feed.feed.get("language") or "")[:2].lower()
    records = []
    for entry in feed.entries:
        external_id = (entry.get("id") or entry.get("link") or "").strip()[:200]
        text = _text(entry)
        if not external_id or not text:
            continue
        records.append(
            MentionIn(
                external_id=external_id,
                text=text,
                published_at=_published(entry, now),
                author_handle=(entry.get("author") or "")[:200],
                author_name=(entry.get("author") or "")[:200],
                language=language,
                url=(entry.get("link") or "")[:1000],
            )
        )
    changes = {
        "etag": answer.headers.get("etag", "")[:300],
        "last_modified": answer.headers.get("last-modified", "")[:100],
    }
    return records, changes
