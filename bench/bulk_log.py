"""A long crisis log in seconds: N entries with a correct hash chain, and their live events.

    from bench.bulk_log import build_log
    build_log(incident=incident, entries=100_000, actor=manager)   # ~10 s on PostgreSQL here

Appending 100,000 entries through `incidents.services` takes minutes (a dozen
statements each). This writes what those appends would have written, in one
transaction: the entries (notes, corrections of earlier notes, level changes that
follow the workflow), hashed with the application's own `crisislog.compute_hash`
so that `crisislog.verify_chain` finds the chain valid, one `IncidentEvent` per
entry numbered after the incident's `event_seq` with the type and data that
`incidents.events.log_entry_recorded` gives it, and the incident's counters,
level and times as the services leave them. The rows go in with PostgreSQL's
COPY (`bulk_create` on other databases). Nothing is broadcast: a page that opens
later catches up from the event stream, as after any reconnect.

Why here and not a management command of the app: it writes crisis-log rows
without `append_entry` (the model refuses bulk writes on purpose, and this goes
around that through the base manager and COPY). That is fine for a bench or a test
fixture, and should not ship as an app feature that writes the tamper-evident log
behind the services' back. `bench/` is not in the Docker image (.dockerignore);
tests import it like `tests/bench/test_ws_fanout_smoke.py` imports the fan-out bench.

Side effects of real level changes are not replayed: no escalation e-mail, and
holding-statement review deadlines are not recomputed (`statements.review.level_changed`):
give level changes (`level_change_every`) only to incidents without published
holding statements, or pass 0.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

# The application's pieces this module rests on. Issue 11 moves code between apps: if an
# import breaks, this is the one place to change.
from incidents import log_kinds, workflow
from incidents.crisislog import GENESIS_HASH, compute_hash
from incidents.events import event_type_for
from incidents.models import Incident, IncidentEvent, Level, LogCategory, LogEntry, LogKind

CATEGORIES = list(LogCategory.values)
# Demo-like wording of varying length (the log page renders and serialises these).
TEXTS = [
    "Nouvelle vague de mentions sur X : {n} messages en dix minutes, ton inquiet.",
    "Appel d'un journaliste de la presse régionale ; renvoyé vers le service presse, rappel prévu à 16 h.",
    "Le service client signale {n} appels au sujet du lot concerné depuis ce matin.",
    "Point de situation avec la direction qualité : analyses en cours, premiers résultats attendus "
    "dans la soirée. Ne rien publier sur la composition avant leur retour.",
    "Un compte influent (≈ {n} abonnés) relaie la rumeur avec une capture d'écran tronquée.",
]
SOURCE_URL = "https://example.org/bench/mention/{n}"
# Level changes walk watch → alert → crisis → alert → watch → ..., every move allowed by the workflow.
REASON = "Bench: volume de mentions multiplié par {n}"


@dataclass(frozen=True)
class BulkLog:
    incident_id: int
    first_seq: int
    last_seq: int
    level_changes: int
    corrections: int
    seconds: float


def _next_level(level: str, going_up: bool) -> tuple[str, bool]:
    """The next move of the walk; recovery and closed first go back into the cycle."""
    if level == Level.RECOVERY:
        return Level.CRISIS, False
    if level == Level.CLOSED:
        return Level.ALERT, True
    if level == Level.WATCH:
        return Level.ALERT, True
    if level == Level.CRISIS:
        return Level.ALERT, False
    return (Level.CRISIS, True) if going_up else (Level.WATCH, False)


def _reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys for rows inserted with explicit ids (the hash of a correction covers the id it corrects)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # Other databases: the transaction holds the write lock (SQLite: IMMEDIATE), max(id) is ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL COPY of plain tuples (dicts go in as jsonb)."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    json_columns = [i for i, name in enumerate(columns) if name == "data"]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if json_columns:
                row = list(row)
                for i in json_columns:
                    row[i] = Jsonb(row[i])
            copy.write_row(row)


ENTRY_COLUMNS = [
    "id",
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
    "prev_hash",
    "hash",
]
EVENT_COLUMNS = ["incident_id", "seq", "type", "object_id", "data", "actor_id", "created_at"]


def _event_data(entry) -> dict:
    # What incidents.events.log_entry_recorded stores for the entry (tests/bench/test_bulk_log.py compares them).
    data = {"panels": log_kinds.panels(entry.kind), "entry": entry.pk}
    data["kind"] = str(entry.kind)
    if entry.kind == LogKind.LEVEL_CHANGED:
        data["level"] = entry.data.get("to")
        data["from"] = entry.data.get("from")
    return data


def build_log(
    *,
    incident: Incident,
    entries: int,
    actor,
    level_change_every: int = 1000,
    correction_every: int = 50,
    source_every: int = 7,
) -> BulkLog:
    """Append `entries` entries to `incident`'s crisis log after its current last entry, in one transaction.

    Every `level_change_every`-th entry is a level change (0: none), every `correction_every`-th a
    correction of the entry before it (0: none), the rest notes; `actor` is their author (give a
    manager when there are level changes: the walk includes moves only a manager may make).
    Updates `incident` in place (log_seq, event_seq, level, level_changed_at, updated_at).
    """
    if entries < 1:
        raise ValueError("entries must be positive")
    started = time.monotonic()
    with transaction.atomic():
        # The row lock that every append takes: nothing else appends meanwhile.
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        prev_hash = (
            LogEntry.objects.filter(incident=locked, seq=locked.log_seq).values_list("hash", flat=True).first()
            or GENESIS_HASH
        )
        ids = _reserve_ids(LogEntry, entries)
        level, going_up = locked.level, True
        level_changed_at, updated_at = locked.level_changed_at, locked.updated_at
        # Microseconds apart from now on: in order, and before anything appended after this build.
        start = timezone.now()
        log_rows, event_rows = [], []
        level_changes = corrections = 0
        for i, pk in enumerate(ids):
            seq = locked.log_seq + 1 + i
            created_at = start + datetime.timedelta(microseconds=i)
            fields = {"kind": LogKind.NOTE, "category": CATEGORIES[seq % len(CATEGORIES)], "data": {}}
            fields["text"] = TEXTS[seq % len(TEXTS)].format(n=seq % 997 + 3)
            fields["source_url"] = SOURCE_URL.format(n=seq) if source_every and seq % source_every == 0 else ""
            fields["corrects_id"] = None
            if level_change_every and (i + 1) % level_change_every == 0:
                to_level, going_up = _next_level(level, going_up)
                if workflow.required_role(level, to_level) is None:  # the walk must stay inside the workflow
                    raise AssertionError(f"{level} -> {to_level} is not a move of the workflow")
                fields.update(
                    kind=LogKind.LEVEL_CHANGED,
                    category="",
                    text=REASON.format(n=seq % 9 + 2),
                    source_url="",
                    data={"from": str(level), "to": str(to_level)},
                )
                level, level_changed_at, updated_at = to_level, created_at, created_at
                level_changes += 1
            elif correction_every and i > 0 and (i + 1) % correction_every == 0 and log_rows[-1][3] == LogKind.NOTE:
                fields.update(kind=LogKind.CORRECTION, text=f"Correction : {log_rows[-1][5]}", corrects_id=ids[i - 1])
                corrections += 1
            # What compute_hash and event_type_for read, without a model instance's cost (a quarter of the time).
            entry = SimpleNamespace(
                pk=pk,
                id=pk,
                incident_id=locked.pk,
                seq=seq,
                actor_id=actor.pk,
                created_at=created_at,
                prev_hash=prev_hash,
                **fields,
            )
            entry.hash = compute_hash(prev_hash, entry)
            prev_hash = entry.hash
            log_rows.append(tuple(getattr(entry, column) for column in ENTRY_COLUMNS))
            event_rows.append(
                (
                    locked.pk,
                    locked.event_seq + 1 + i,
                    event_type_for(entry),
                    pk,
                    _event_data(entry),
                    actor.pk,
                    created_at,
                )
            )
        if connection.vendor == "postgresql":
            _copy(LogEntry, ENTRY_COLUMNS, log_rows)
            _copy(IncidentEvent, EVENT_COLUMNS, event_rows)
        else:
            # The base manager: LogEntry.objects refuses bulk writes (they would skip the chain; this one keeps it).
            LogEntry._base_manager.bulk_create(
                [LogEntry(**dict(zip(ENTRY_COLUMNS, row, strict=True))) for row in log_rows], batch_size=500
            )
            IncidentEvent.objects.bulk_create(
                [IncidentEvent(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in event_rows], batch_size=500
            )
        changes = {
            "log_seq": locked.log_seq + entries,
            "event_seq": locked.event_seq + entries,
            "level": level,
            "level_changed_at": level_changed_at,
            "updated_at": updated_at,
        }
        Incident.objects.filter(pk=locked.pk).update(**changes)
    for field, value in changes.items():
        setattr(incident, field, value)
    return BulkLog(
        incident_id=incident.pk,
        first_seq=changes["log_seq"] - entries + 1,
        last_seq=changes["log_seq"],
        level_changes=level_changes,
        corrections=corrections,
        seconds=time.monotonic() - started,
    )
