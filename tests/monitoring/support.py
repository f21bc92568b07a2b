"""Builders for the monitoring tests: sources, tokens, watchlists, synthetic mentions."""

from datetime import UTC, datetime, timedelta

from monitoring.models import IngestToken, Source, SourceKind, Watchlist, token_digest

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def make_source(cell, name="Listening tool", kind=SourceKind.API, **fields) -> Source:
    return Source.objects.create(cell=cell, name=name, kind=kind, **fields)


def make_token(source, key="cci_test-key-" + "x" * 20) -> str:
    IngestToken.objects.create(source=source, name="tool", digest=token_digest(key))
    return key


def make_watchlist(cell, name="Brand", terms='durand\nhydra+\n"service client"\n#rappeldurand', **fields) -> Watchlist:
    return Watchlist.objects.create(cell=cell, name=name, terms=terms, **fields)


def mention(n: int, *, text="Le sérum Durand me brûle la peau", at=None, **fields) -> dict:
    at = at or NOW - timedelta(minutes=1)
    return {
        "external_id": f"post-{n}",
        "text": text,
        "published_at": at.isoformat(),
        "author_handle": f"user{n}",
        "author_name": f"User {n}",
        "author_reach": 100 + n,
        "language": "fr",
        "url": f"https://social.example/post/{n}",
        **fields,
    }
