"""Full-text documents of mentions, computed off the ingestion path (PostgreSQL only).

`to_tsvector` costs more than storing the row itself (measured on this machine: ~85 µs per
20-word text in French, ~45 µs in English, against ~5 µs for the insert), and with the two
expression indexes it was paid inside every ingestion request: 10,000 mentions took
2.6-4.3 s to store instead of 1.1-1.8 s. Now ingestion only queues the new ids
(PendingSearch, in the same statement as the insert: monitoring/ingest.py), and
`index_pending` computes the documents of a few thousand at a time in one statement, from
a Celery task started after each batch (debounced) and by beat. Until a mention is
indexed, the search reads its text directly (SEARCH_SQL), so nothing is ever missed.

Each document is stemmed in the mention's language (French or English; both when the
language is another or unknown): half the cost of always doing both, and the query is
stemmed both ways, so a French query finds French mentions and an English one English.
"""

from django.core.cache import cache
from django.db import connection, transaction

BATCH = 5_000
# The document of a mention row `m`, as stored and as searched while it is pending.
DOCUMENT_SQL = (
    "CASE left(m.language, 2)"
    " WHEN 'fr' THEN to_tsvector('french'::regconfig, m.text)"
    " WHEN 'en' THEN to_tsvector('english'::regconfig, m.text)"
    " ELSE to_tsvector('french'::regconfig, m.text) || to_tsvector('english'::regconfig, m.text) END"
)
QUERY_SQL = "(websearch_to_tsquery('french'::regconfig, %s) || websearch_to_tsquery('english'::regconfig, %s))"
# A WHERE clause on monitoring_mention; four parameters, the query each time.
SEARCH_SQL = f"""(
    monitoring_mention.id IN (SELECT s.mention_id FROM monitoring_mentionsearch s WHERE s.document @@ {QUERY_SQL})
    OR monitoring_mention.id IN (SELECT m.id FROM monitoring_pendingsearch p
        JOIN monitoring_mention m ON m.id = p.mention_id WHERE {DOCUMENT_SQL} @@ {QUERY_SQL})
)"""  # noqa: S608  (constants; the query is a bound parameter)

INDEX_SQL = f"""
WITH claimed AS (
    DELETE FROM monitoring_pendingsearch WHERE mention_id IN (
        SELECT mention_id FROM monitoring_pendingsearch ORDER BY mention_id LIMIT %s FOR UPDATE SKIP LOCKED)
    RETURNING mention_id)
INSERT INTO monitoring_mentionsearch (mention_id, document)
SELECT m.id, {DOCUMENT_SQL} FROM monitoring_mention m JOIN claimed c ON c.mention_id = m.id
ON CONFLICT (mention_id) DO NOTHING
"""  # noqa: S608  (constants only)

SCHEDULED_KEY = "monitoring:search-index-scheduled"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def index_pending(*, batch: int = BATCH, max_batches: int = 1_000) -> int:
    """Index queued mentions, `batch` at a time (each its own transaction), until none is
    left; returns how many were indexed. Concurrent callers share the queue (SKIP LOCKED);
    a mention is indexed once (ON CONFLICT), so running it again is harmless."""
    if not enabled():
        return 0
    done = 0
    for _ in range(max_batches):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(INDEX_SQL, [batch])
            count = cursor.rowcount
        done += count
        if count == 0:
            break
    return done


def schedule() -> None:
    """After a batch is committed: one indexing task at a time in flight, not one per batch."""
    if not enabled():
        return
    from .tasks import index_search_documents

    # The task clears the key when it starts: at most one waits while one runs. The
    # timeout only matters if a task is lost (beat then picks the queue up).
    if cache.add(SCHEDULED_KEY, 1, timeout=30):
        index_search_documents.delay()
