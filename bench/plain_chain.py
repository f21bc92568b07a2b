"""The crisis log's hash chain in plain Python, without Django: the raw baselines' half.

The same canonical form and SHA-256 chain as `incidents.crisislog` (the smoke
test checks that both give the same hashes, and that entries appended by the raw
baseline verify with the application's verifier), so that the raw hash-chained
append and the plain re-hash do the same work as the application minus the
framework. Imported by `bench/raw_app.py`, which a bare uvicorn serves.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

GENESIS_HASH = "0" * 64
# The columns the hash covers, in the order the raw queries select them.
HASHED_COLUMNS = (
    "incident_id",
    "seq",
    "kind",
    "category",
    "text",
    "source_url",
    "corrects_id",
    "actor_id",
    "data",
    "created_at",
)


def _canonical_json(value):
    # As incidents.crisislog._canonical_json: integral floats as integers (jsonb reads them back so).
    if isinstance(value, dict):
        return {key: _canonical_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(item) for item in value]
    if isinstance(value, float):
        exact = Decimal(repr(value))
        if exact.is_finite() and exact == exact.to_integral_value():
            return int(exact)
    return value


def canonical(incident_id, seq, kind, category, text, source_url, corrects_id, actor_id, data, created_at) -> str:
    return json.dumps(
        {
            "incident": incident_id,
            "seq": seq,
            "kind": kind,
            "category": category,
            "text": text,
            "source_url": source_url,
            "corrects": corrects_id,
            "actor": actor_id,
            "data": _canonical_json(data),
            "created_at": created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def chain_hash(prev_hash: str, *columns) -> str:
    """SHA-256 of the previous hash and the entry's canonical content; `columns` in HASHED_COLUMNS order."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(*columns)}".encode()).hexdigest()


def rehash(rows) -> tuple[int, int | None]:
    """Walk rows (HASHED_COLUMNS + prev_hash, hash; in seq order): (entries checked, first bad seq or None)."""
    expected_prev = GENESIS_HASH
    checked = 0
    for row in rows:
        checked += 1
        *columns, prev_hash, stored_hash = row
        if prev_hash != expected_prev or chain_hash(prev_hash, *columns) != stored_hash:
            return checked, columns[1]
        expected_prev = stored_hash
    return checked, None
