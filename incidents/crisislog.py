"""The crisis log (main courante): append-only and tamper-evident.

Each entry stores SHA-256(previous entry's hash + its own canonical content),
per incident, so changing, removing or re-ordering any stored entry breaks the
chain from that entry on. `verify_chain` recomputes it.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from . import events, log_kinds
from .models import Incident, LogEntry

GENESIS_HASH = "0" * 64


def _canonical_json(value):
    """`value` as it reads back from any database, so that its hash does too.

    PostgreSQL's jsonb keeps the decimal value of a number, not how Python
    wrote it: 1e20 comes back as the integer 100000000000000000000, which would
    no longer match the hash taken at write time. Integral floats are therefore
    hashed as the integer of their decimal form (1.0 as 1); other floats keep
    their shortest repr, which jsonb gives back exactly.
    """
    if isinstance(value, dict):
        return {key: _canonical_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(item) for item in value]
    if isinstance(value, float):
        exact = Decimal(repr(value))
        if exact.is_finite() and exact == exact.to_integral_value():
            return int(exact)
    return value


def canonical_content(entry: LogEntry) -> str:
    """The fields that the hash covers, in a stable text form."""
    return json.dumps(
        {
            "incident": entry.incident_id,
            "seq": entry.seq,
            "kind": entry.kind,
            "category": entry.category,
            "text": entry.text,
            "source_url": entry.source_url,
            "corrects": entry.corrects_id,
            "actor": entry.actor_id,
            "data": _canonical_json(entry.data),
            "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def compute_hash(prev_hash: str, entry: LogEntry) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_content(entry)}".encode()).hexdigest()


# One statement numbers the entry and its live event: both counters bumped and
# returned (it was an UPDATE and a SELECT per counter). The row lock it takes,
# held until commit, orders the appends of one incident.
_NUMBER_ENTRY = (
    "UPDATE {incident} SET log_seq = log_seq + 1, event_seq = event_seq + 1 WHERE id = %s"
    " RETURNING log_seq, event_seq, cell_id"
)


def _number_entry(incident_id: int) -> tuple[int, int, int, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(_NUMBER_ENTRY.format(incident=Incident._meta.db_table), [incident_id])
        seq, event_seq, cell_id = cursor.fetchone()
    # The previous hash in a statement of its own, not in the UPDATE's RETURNING: a
    # statement reads with the snapshot of its start, and an UPDATE that waited for the
    # lock of a concurrent append would not see the entry that append committed.
    previous = LogEntry.objects.filter(incident_id=incident_id, seq=seq - 1).values_list("hash", flat=True).first()
    return seq, event_seq, cell_id, previous


def append_entry(
    *,
    incident: Incident,
    kind: str,
    actor=None,
    text: str = "",
    category: str = "",
    source_url: str = "",
    corrects: LogEntry | None = None,
    data: dict | None = None,
) -> LogEntry:
    """Append one entry. Must run inside the caller's transaction."""
    if kind not in log_kinds.KINDS:
        # A programming error, not an input one: every app registers its kinds at startup.
        raise ValueError(f"{kind!r} is not a registered crisis-log kind (incidents.log_kinds.register).")
    # Everything that needs no lock is built first: the lock is taken as late as possible.
    entry = LogEntry(
        incident=incident,
        kind=kind,
        category=category,
        text=text,
        source_url=source_url,
        corrects=corrects,
        actor=actor,
        data=data or {},
    )
    seq, event_seq, cell_id, previous = _number_entry(incident.pk)
    entry.seq = seq
    entry.created_at = timezone.now()
    entry.prev_hash = previous or GENESIS_HASH
    entry.hash = compute_hash(entry.prev_hash, entry)
    entry.save()
    incident.log_seq = seq
    incident.event_seq = event_seq
    # Every business change of an incident writes a log entry: its live event
    # (the pages of everyone in the cell update) is numbered above, in the same transaction.
    events.log_entry_recorded(entry, seq=event_seq, cell_id=cell_id)
    return entry


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    checked: int
    # Id of the first stored entry that does not fit; None when the chain is
    # valid, or when only entries at the end are missing (no stored entry is wrong).
    first_broken: int | None
    # Position (seq) where the chain breaks, also for a missing tail.
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain(incident: Incident) -> ChainReport:
    """Walk the chain in order; report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    checked = 0
    entries = LogEntry.objects.filter(incident=incident).order_by("seq").iterator(chunk_size=500)
    for expected_seq, entry in enumerate(entries, start=1):
        checked += 1
        if entry.seq != expected_seq:
            return ChainReport(False, checked, entry.pk, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.pk, entry.seq, "does not follow the previous entry")
        if compute_hash(entry.prev_hash, entry) != entry.hash:
            return ChainReport(False, checked, entry.pk, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
    log_seq = Incident.objects.values_list("log_seq", flat=True).get(pk=incident.pk)
    if checked != log_seq:
        # The tail was removed: no stored entry is wrong, but entries are missing.
        return ChainReport(False, checked, None, checked + 1, f"{log_seq - checked} entries missing at the end")
    return ChainReport(True, checked, None)
