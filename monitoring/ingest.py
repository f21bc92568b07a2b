"""Ingestion: parse, validate, normalise, match, tone, store and count a batch of mentions.

Every way in (the API, feeds, Mastodon, file imports) ends in `ingest_records`. It is
built for storm volume: records are decoded and type-checked by msgspec (C), checked by
plain code, and stored with one multi-row `INSERT ... SELECT FROM unnest(...) ON CONFLICT`
per batch on PostgreSQL (per-row INSERTs or a DRF serializer per mention are ~100x
slower). The same post arriving again (same source and external id) updates its
metrics and counts as a duplicate; it is never a second row and is never counted twice
in the volumes. Bad records are refused one by one, with their index and reason; the
good ones of the same batch are kept.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated

import msgspec
from django.db import connection, transaction
from django.utils import timezone

from . import broadcast, matching, problems, search_index, tone
from .models import Mention, Source, VolumeCounter

MAX_BATCH = 10_000


class MentionIn(msgspec.Struct, forbid_unknown_fields=False):
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    published_at: datetime
    author_handle: Annotated[str, msgspec.Meta(max_length=200)] = ""
    author_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    author_reach: Annotated[int, msgspec.Meta(ge=0, le=10**12)] = 0
    language: Annotated[str, msgspec.Meta(max_length=8)] = ""
    url: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    likes: Annotated[int, msgspec.Meta(ge=0, le=10**15)] = 0
    shares: Annotated[int, msgspec.Meta(ge=0, le=10**15)] = 0
    replies: Annotated[int, msgspec.Meta(ge=0, le=10**15)] = 0


class Envelope(msgspec.Struct):
    mentions: list[msgspec.Raw]


_decode_record = msgspec.json.Decoder(MentionIn).decode
_decode_list = msgspec.json.Decoder(list[msgspec.Raw] | Envelope).decode


class BatchTooLarge(Exception):
    pass


class MalformedBatch(Exception):
    pass


@dataclass
class Result:
    accepted: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    watchlists: set[int] = field(default_factory=set)

    def as_dict(self) -> dict:
        """The API's answer: each error worded in the active language (the request's), with its code."""
        errors = [
            {"index": error["index"], "code": error["problem"].code, "reason": str(error["problem"])}
            for error in self.errors
        ]
        return {"accepted": self.accepted, "duplicates": self.duplicates, "errors": errors}


def parse_body(body: bytes, content_type: str) -> tuple[list[MentionIn | None], list[dict]]:
    """(records, errors): records[i] is None where errors names index i.

    JSON: a list of mentions or {"mentions": [...]}; NDJSON: one mention per line.
    Raises MalformedBatch (400) when the body as a whole cannot be read, BatchTooLarge (413)."""
    if "ndjson" in content_type or "jsonlines" in content_type:
        raws = [line for line in body.split(b"\n") if line.strip()]
    else:
        try:
            decoded = _decode_list(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise MalformedBatch(problems.from_msgspec(exc)) from exc
        except RecursionError as exc:
            raise MalformedBatch(problems.Problem("nested")) from exc
        raws = decoded.mentions if isinstance(decoded, Envelope) else decoded
    if len(raws) > MAX_BATCH:
        raise BatchTooLarge(len(raws))
    records, errors = [], []
    for index, raw in enumerate(raws):
        try:
            records.append(_decode_record(raw))
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            records.append(None)
            errors.append({"index": index, "problem": problems.from_msgspec(exc)})
        except RecursionError:
            records.append(None)
            errors.append({"index": index, "problem": problems.Problem("nested")})
    return records, errors


def check_record(record: MentionIn, now: datetime) -> str:
    """The checks msgspec's types cannot state: a problems.WORDINGS code, '' when the record is good."""
    if record.published_at.tzinfo is None:
        return "no_timezone"
    if record.published_at > now + timedelta(days=1):
        return "future"
    if not record.external_id.strip():
        return "blank_id"
    if not record.text.strip():
        return "blank_text"
    if "\x00" in record.text or "\x00" in record.author_name or "\x00" in record.author_handle:
        return "nul"
    return ""


@dataclass
class Prepared:
    external_id: str
    author_handle: str
    author_name: str
    author_reach: int
    text: str
    language: str
    url: str
    published_at: datetime
    likes: int
    shares: int
    replies: int
    tone: int
    matched: dict


def prepare(records, errors, *, cell_id: int, now: datetime) -> tuple[list[Prepared], int, matching.Matcher]:
    """Checked, normalised, matched and toned records (one per external id; later copies in
    the same batch are duplicates). Appends the refused ones to `errors`."""
    matcher = matching.matcher_for_cell(cell_id)
    lexicon = tone.lexicon_for_cell(cell_id)
    fold, match, tone_of, guess = matching.fold, matcher.match, tone.tone, tone.guess_language
    seen: set[str] = set()
    prepared: list[Prepared] = []
    in_batch_duplicates = 0
    for index, record in enumerate(records):
        if record is None:
            continue
        problem = check_record(record, now)
        if problem:
            errors.append({"index": index, "problem": problems.Problem(problem)})
            continue
        external_id = record.external_id.strip()
        if external_id in seen:
            in_batch_duplicates += 1
            continue
        seen.add(external_id)
        folded = fold(record.text)
        language = record.language.strip().lower()[:8] or guess(folded)
        prepared.append(
            Prepared(
                external_id=external_id,
                author_handle=record.author_handle.strip(),
                author_name=record.author_name.strip(),
                author_reach=record.author_reach,
                text=record.text,
                language=language,
                url=record.url.strip(),
                published_at=record.published_at.astimezone(UTC),
                likes=record.likes,
                shares=record.shares,
                replies=record.replies,
                tone=tone_of(folded, lexicon),
                matched=match(record.text, language=language, author_handle=record.author_handle, folded=folded),
            )
        )
    errors.sort(key=lambda error: error["index"])
    return prepared, in_batch_duplicates, matcher


# A batch goes in by COPY (psycopg writes the rows in C: binding 13 arrays of 10,000
# values as parameters cost as much as the whole insert) into a temporary table of the
# session, then one statement moves it into the mentions: the upsert, and the new rows
# queued for their full-text document (monitoring/search_index.py computes it later).
# The staging table empties itself as it is read (DELETE ... RETURNING), so a second
# batch in the same transaction starts from nothing; ON COMMIT DELETE ROWS gives its
# space back at every commit (temporary tables are never vacuumed).
STAGING_SQL = """
CREATE TEMPORARY TABLE IF NOT EXISTS monitoring_mention_in (
    e text, ah text, an text, ar bigint, t text, l text, u text, p timestamptz,
    lk bigint, sh bigint, rp bigint, tn smallint, m jsonb
) ON COMMIT DELETE ROWS
"""
COPY_SQL = "COPY monitoring_mention_in (e, ah, an, ar, t, l, u, p, lk, sh, rp, tn, m) FROM STDIN"
UPSERT_SQL = """
WITH batch AS (
    DELETE FROM monitoring_mention_in RETURNING *
), stored AS (
    INSERT INTO monitoring_mention (source_id, cell_id, received_at, external_id, author_handle, author_name,
        author_reach, text, language, url, published_at, likes, shares, replies, tone, matched)
    SELECT %s, %s, %s, e, ah, an, ar, t, l, u, p, lk, sh, rp, tn, m FROM batch
    ON CONFLICT (source_id, external_id) DO UPDATE SET
        likes = EXCLUDED.likes, shares = EXCLUDED.shares, replies = EXCLUDED.replies,
        author_reach = EXCLUDED.author_reach
    WHERE (monitoring_mention.likes, monitoring_mention.shares, monitoring_mention.replies,
           monitoring_mention.author_reach)
        IS DISTINCT FROM (EXCLUDED.likes, EXCLUDED.shares, EXCLUDED.replies, EXCLUDED.author_reach)
    RETURNING external_id, id, (xmax = 0) AS inserted
), queued AS (
    INSERT INTO monitoring_pendingsearch (mention_id) SELECT id FROM stored WHERE inserted
)
SELECT external_id, id FROM stored WHERE inserted
"""

COUNTER_SQL = """
INSERT INTO monitoring_volumecounter (watchlist_id, minute, count, negative)
SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::int[], %s::int[])
ON CONFLICT (watchlist_id, minute) DO UPDATE SET
    count = monitoring_volumecounter.count + EXCLUDED.count,
    negative = monitoring_volumecounter.negative + EXCLUDED.negative
"""

_json = msgspec.json.Encoder()


def _store_postgresql(source: Source, rows: list[Prepared], now: datetime) -> dict[str, int]:
    """external id -> mention id of the rows inserted (not those updated or unchanged)."""
    encode = _json.encode
    with connection.cursor() as cursor:
        cursor.execute(STAGING_SQL)
        with cursor.cursor.copy(COPY_SQL) as copy:
            write = copy.write_row
            for r in rows:
                write(
                    (
                        r.external_id,
                        r.author_handle,
                        r.author_name,
                        r.author_reach,
                        r.text,
                        r.language,
                        r.url,
                        r.published_at,
                        r.likes,
                        r.shares,
                        r.replies,
                        r.tone,
                        encode(r.matched).decode(),
                    )
                )
        cursor.execute(UPSERT_SQL, [source.pk, source.cell_id, now])
        return dict(cursor.fetchall())


def _store_portable(source: Source, rows: list[Prepared], now: datetime) -> dict[str, int]:
    """SQLite (the embedded default): the same outcome with the ORM, slower."""
    existing = dict(
        Mention.objects.filter(source=source, external_id__in=[r.external_id for r in rows]).values_list(
            "external_id", "pk"
        )
    )
    fresh, updates = [], []
    for r in rows:
        fields = {key: getattr(r, key) for key in Prepared.__dataclass_fields__}
        if r.external_id in existing:
            updates.append(Mention(pk=existing[r.external_id], **fields))
        else:
            fresh.append(Mention(source=source, cell_id=source.cell_id, received_at=now, **fields))
    Mention.objects.bulk_update(updates, ["likes", "shares", "replies", "author_reach"], batch_size=500)
    Mention.objects.bulk_create(fresh, batch_size=500)
    return dict(
        Mention.objects.filter(source=source, external_id__in=[m.external_id for m in fresh]).values_list(
            "external_id", "pk"
        )
    )


def _count(rows: list[Prepared], inserted: dict[str, int]) -> dict[tuple[int, datetime], list[int]]:
    counts: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r.external_id not in inserted or not r.matched:
            continue
        minute = r.published_at.replace(second=0, microsecond=0)
        for watchlist_id in r.matched:
            slot = counts[(int(watchlist_id), minute)]
            slot[0] += 1
            slot[1] += r.tone < 0
    return counts


def _store_counts(counts) -> None:
    if not counts:
        return
    if connection.vendor == "postgresql":
        keys = sorted(counts)  # a fixed order: two batches never lock the same counters crosswise
        with connection.cursor() as cursor:
            cursor.execute(
                COUNTER_SQL,
                [
                    [k[0] for k in keys],
                    [k[1] for k in keys],
                    [counts[k][0] for k in keys],
                    [counts[k][1] for k in keys],
                ],
            )
        return
    for (watchlist_id, minute), (count, negative) in sorted(counts.items()):
        counter, _created = VolumeCounter.objects.select_for_update().get_or_create(
            watchlist_id=watchlist_id, minute=minute
        )
        VolumeCounter.objects.filter(pk=counter.pk).update(
            count=counter.count + count, negative=counter.negative + negative
        )


@transaction.atomic
def ingest_records(
    source: Source, records: list[MentionIn | None], errors: list[dict] | None = None, *, exercise: bool = False
) -> Result:
    """Store a batch for `source` in one transaction; live updates and alert checks after commit.

    `exercise` (a drill's synthetic mentions, from its exercise source): matched, toned, stored
    and shown like any other, but never counted in the volumes, so neither the baselines nor the
    real alerts ever see them (the drill judges them against the thresholds itself)."""
    errors = list(errors or [])
    now = timezone.now()
    rows, in_batch_duplicates, matcher = prepare(records, errors, cell_id=source.cell_id, now=now)
    store = _store_postgresql if connection.vendor == "postgresql" else _store_portable
    inserted = store(source, rows, now) if rows else {}
    if exercise:
        if inserted:
            transaction.on_commit(search_index.schedule)
        fresh = [r for r in rows if r.matched and r.external_id in inserted]
        watchlist_ids = sorted({int(pk) for r in fresh for pk in r.matched})
        if watchlist_ids:
            broadcast.mentions_matched(cell_id=source.cell_id, watchlist_ids=watchlist_ids, count=len(fresh))
        return Result(
            accepted=len(inserted),
            duplicates=len(rows) - len(inserted) + in_batch_duplicates,
            errors=errors,
            watchlists=set(watchlist_ids),
        )
    counts = _count(rows, inserted)
    _store_counts(counts)
    if inserted:
        transaction.on_commit(search_index.schedule)
    result = Result(
        accepted=len(inserted),
        duplicates=len(rows) - len(inserted) + in_batch_duplicates,
        errors=errors,
        watchlists={watchlist_id for watchlist_id, _minute in counts},
    )
    if result.watchlists:
        # Only the new mentions: a re-sent batch changes no volume and fires nothing.
        fresh = [r for r in rows if r.matched and r.external_id in inserted]
        loud = sorted({inserted[r.external_id] for r in fresh if matcher.is_loud(r.author_reach, r.matched)})
        broadcast.mentions_matched(cell_id=source.cell_id, watchlist_ids=sorted(result.watchlists), count=len(fresh))
        from .tasks import evaluate_watchlists

        watchlist_ids = sorted(result.watchlists)
        transaction.on_commit(lambda: evaluate_watchlists.delay(watchlist_ids, loud))
    return result


def ingest_body(source: Source, body: bytes, content_type: str) -> Result:
    records, errors = parse_body(body, content_type)
    return ingest_records(source, records, errors)
