"""Mastodon: a hashtag timeline or a search of one instance, through its public REST API.

- hashtag: GET /api/v1/timelines/tag/:hashtag?since_id=...&limit=40 (newest first); older
  pages of the same poll with max_id, until the page is short or we reach since_id;
- search: GET /api/v2/search?q=...&type=statuses&min_id=... (statuses newer than the cursor).
The newest id seen becomes the next poll's since_id. The rate-limit headers are respected:
at X-RateLimit-Remaining 0 the poll stops and the next one waits for X-RateLimit-Reset;
a 429 is an error shown on the source, retried after the reset.
"""

import json
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from ..ingest import MentionIn
from . import http

PAGE = 40
MAX_PAGES = 5


def _reset_at(headers: dict) -> datetime | None:
    value = parse_datetime(headers.get("x-ratelimit-reset", "") or "")
    return value.astimezone(UTC) if value and value.tzinfo else None


def _status_record(status: dict) -> MentionIn | None:
    account = status.get("account") or {}
    text = strip_tags((status.get("spoiler_text") or "") + "\n" + (status.get("content") or "")).strip()
    created = parse_datetime(status.get("created_at") or "")
    if not status.get("id") or not text or created is None:
        return None
    return MentionIn(
        external_id=str(status["id"])[:200],
        text=text[:20_000],
        published_at=created,
        author_handle=str(account.get("acct") or "")[:200],
        author_name=str(account.get("display_name") or "")[:200],
        author_reach=max(0, int(account.get("followers_count") or 0)),
        language=str(status.get("language") or "")[:8],
        url=str(status.get("url") or status.get("uri") or "")[:1000],
        likes=max(0, int(status.get("favourites_count") or 0)),
        shares=max(0, int(status.get("reblogs_count") or 0)),
        replies=max(0, int(status.get("replies_count") or 0)),
    )


def _page(source, params: dict) -> tuple[list[dict], dict]:
    base = source.url.rstrip("/")
    config = source.config or {}
    query = str(config.get("query") or "").strip()
    if config.get("timeline") == "hashtag":
        url = f"{base}/api/v1/timelines/tag/{quote(query.lstrip('#'), safe='')}?{urlencode(params)}"
    else:
        url = f"{base}/api/v2/search?{urlencode({'q': query, 'type': 'statuses', **params})}"
    answer = http.get(url, {"Accept": "application/json"})
    try:
        data = json.loads(answer.body)
    except ValueError as error:
        raise http.FetchError("not_json") from error
    statuses = data.get("statuses") if isinstance(data, dict) else data
    if not isinstance(statuses, list):
        raise http.FetchError("not_statuses")
    return [s for s in statuses if isinstance(s, dict)], answer.headers


def fetch(source, now: datetime) -> tuple[list[MentionIn], dict]:
    """(records, changes to the source: the new since_id, and next_poll_at when rate-limited)."""
    config = source.config or {}
    if not str(config.get("query") or "").strip():
        raise http.FetchError("no_query")
    since = source.since_id
    hashtag = config.get("timeline") == "hashtag"
    statuses: list[dict] = []
    changes: dict = {}
    max_id = None
    for _page_number in range(MAX_PAGES):
        params = {"limit": PAGE}
        if since:
            params["since_id" if hashtag else "min_id"] = since
        if max_id:
            params["max_id"] = max_id
        try:
            page, headers = _page(source, params)
        except http.FetchError as error:
            if error.status == 429:
                reset = _reset_at(error.headers)
                if reset:
                    error.retry_after = max(0.0, (reset - now).total_seconds())
            raise
        statuses.extend(page)
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is not None and remaining.isdigit() and int(remaining) <= 0:
            reset = _reset_at(headers)
            if reset:
                changes["next_poll_at"] = reset
            break
        if len(page) < PAGE or not hashtag:
            break
        max_id = min((s["id"] for s in page if s.get("id")), key=lambda value: (len(str(value)), str(value)))
    ids = [str(s["id"]) for s in statuses if s.get("id")]
    if ids:
        # Mastodon ids are numbers in strings (snowflake-like): compare by length, then text.
        changes["since_id"] = max([*ids, since] if since else ids, key=lambda value: (len(value), value))
    records = [record for record in map(_status_record, statuses) if record is not None]
    return records, changes
