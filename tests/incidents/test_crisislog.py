"""The crisis log (main courante): append-only through every path, and tamper-evident.

Immutability: the ORM refuses every write on stored entries (queryset update /
delete / bulk writes, instance save / delete), and on PostgreSQL a trigger
refuses raw UPDATE and DELETE too. Tamper evidence: whoever gets past that
(raw SQL with the trigger disabled) breaks the hash chain, and the verifier
names the first broken entry.
"""

import itertools

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from incidents import crisislog, services
from incidents.crisislog import GENESIS_HASH, compute_hash, verify_chain
from incidents.models import Incident, LogEntry, LogKind

from ..services_check import require_service
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

UNICODE_TEXT = "Émeute sur X 🔥 « le produit brûle » — 中文, ß, Ωmega\nligne 2\ttab"
RICH_DATA = {
    "z": "last key first",
    "nested": {"é": ["ü", 1, 2.5, True, None], "emoji": "😱"},
    "count": 12,
    "ratio": 0.30000000000000004,
    # PostgreSQL's jsonb gives 1e20 back as the integer 10**20: the hash must not change.
    "big": 1e20,
    "one": 1.0,
    "tiny": 1e-07,
    "empty": {},
}


@pytest.fixture
def entries(incident, users):
    """Seven entries: creation, notes in several alphabets, a correction, level changes, data JSON,
    and the activation of the cell that reaching crisis brings (issue 15)."""
    member, manager = users["member"], users["manager"]
    first = services.log_entry_add(actor=member, incident=incident, text=UNICODE_TEXT, source_url="https://x.com/a/1")
    services.log_entry_add(actor=manager, incident=incident, text="Correction : 5 000 partages", corrects=first)
    services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Volume x8 en 1 h")
    crisislog.append_entry(incident=incident, kind=LogKind.NOTE, actor=member, text="data", data=RICH_DATA)
    services.incident_transition(actor=manager, incident=incident, to_level="crisis", reason="Relais presse")
    return list(LogEntry.objects.filter(incident=incident).order_by("seq"))


def raw_sql(sql: str, params=()) -> None:
    """Write behind the application's back, as someone with database access would."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # ALTER TABLE refuses to run while deferred foreign-key checks of
            # this (test) transaction are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE incidents_logentry DISABLE TRIGGER incidents_logentry_append_only")
        try:
            cursor.execute(sql, params)
        finally:
            if postgresql:
                cursor.execute("ALTER TABLE incidents_logentry ENABLE TRIGGER incidents_logentry_append_only")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def stored(entry: LogEntry) -> dict:
    return LogEntry.objects.filter(pk=entry.pk).values().get()


# --- The chain -----------------------------------------------------------------------------


def test_a_fresh_chain_is_valid(incident, entries):
    assert len(entries) == 7
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6, 7]
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    for entry in entries:
        # As read back from the database: unicode and JSON survive the round trip.
        assert entry.hash == compute_hash(entry.prev_hash, entry)
    assert entries[1].text == UNICODE_TEXT
    report = verify_chain(incident)
    assert (report.valid, report.checked, report.first_broken) == (True, 7, None)


def test_chains_are_per_incident(incident, foreign_incident, entries):
    assert verify_chain(foreign_incident).valid
    assert LogEntry.objects.get(incident=foreign_incident).prev_hash == GENESIS_HASH


def test_data_json_is_hashed_canonically(incident, entries):
    entry = LogEntry.objects.get(incident=incident, seq=5)
    assert entry.data["nested"]["emoji"] == "😱"
    assert entry.hash == compute_hash(entry.prev_hash, entry)
    # Key order does not matter, content does.
    reordered = LogEntry(**{f.attname: getattr(entry, f.attname) for f in LogEntry._meta.concrete_fields})
    reordered.data = dict(reversed(list(entry.data.items())))
    assert compute_hash(entry.prev_hash, reordered) == entry.hash
    reordered.data = {**entry.data, "count": 13}
    assert compute_hash(entry.prev_hash, reordered) != entry.hash


# --- Append-only through the ORM -----------------------------------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda e: LogEntry.objects.filter(pk=e.pk).update(text="rewritten"), id="queryset.update"),
        pytest.param(lambda e: LogEntry.objects.update(text="rewritten"), id="manager.update"),
        pytest.param(lambda e: LogEntry.objects.filter(pk=e.pk).delete(), id="queryset.delete"),
        pytest.param(lambda e: LogEntry.objects.all().delete(), id="all.delete"),
        pytest.param(lambda e: e.incident.log_entries.update(text="rewritten"), id="related.update"),
        pytest.param(lambda e: e.incident.log_entries.all().delete(), id="related.delete"),
        pytest.param(lambda e: e.corrections.clear(), id="corrections.clear"),
        pytest.param(lambda e: LogEntry.objects.bulk_update([e], ["text"]), id="bulk_update"),
        pytest.param(lambda e: LogEntry.objects.bulk_create([LogEntry(incident=e.incident, seq=99)]), id="bulk_create"),
        pytest.param(lambda e: e.save(), id="instance.save"),
        pytest.param(lambda e: e.save(update_fields=["text"]), id="instance.save(update_fields)"),
        pytest.param(lambda e: e.delete(), id="instance.delete"),
        pytest.param(
            lambda e: LogEntry.objects.update_or_create(pk=e.pk, defaults={"text": "rewritten"}), id="update_or_create"
        ),
    ],
)
def test_the_orm_refuses_to_change_or_delete_entries(entries, write):
    entry = entries[1]  # a note that has a correction
    before = [stored(e) for e in entries]
    entry.text = "rewritten"
    with pytest.raises(PermissionError):
        write(entry)
    assert [stored(e) for e in entries] == before


def test_an_incident_with_a_log_cannot_be_deleted(incident, entries):
    with pytest.raises(ProtectedError):
        Incident.objects.get(pk=incident.pk).delete()
    assert LogEntry.objects.filter(incident=incident).count() == 7


def test_a_user_named_in_the_log_cannot_be_deleted(incident, entries, users):
    with pytest.raises(ProtectedError):
        users["manager"].delete()


def test_entries_are_only_written_with_their_hash(incident):
    with pytest.raises(PermissionError):
        LogEntry(incident=incident, seq=2, kind=LogKind.NOTE, text="forged").save()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE incidents_logentry SET text = 'rewritten' WHERE id = %s",
        "UPDATE incidents_logentry SET hash = hash WHERE id = %s",
        "DELETE FROM incidents_logentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_updates_and_deletes(entries, sql):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    before = [stored(e) for e in entries]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entries[2].pk])
    assert [stored(e) for e in entries] == before


# --- Tamper detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text", "Rien à signaler"),
        ("kind", "note"),
        ("category", "decision"),
        ("source_url", "https://evil.example/"),
        ("created_at", "2020-01-01 00:00:00"),
        ("data", '{"from": "watch", "to": "closed"}'),
    ],
)
def test_tampered_content_is_detected(incident, entries, column, value):
    target = entries[3]  # the move to alert
    raw_sql(f"UPDATE incidents_logentry SET {column} = %s WHERE id = %s", [value, target.pk])
    report = verify_chain(incident)
    assert (report.valid, report.first_broken, report.checked) == (False, target.pk, 4)
    assert "hash" in report.problem


def test_tampered_actor_is_detected(incident, entries, users):
    target = entries[1]
    raw_sql("UPDATE incidents_logentry SET actor_id = %s WHERE id = %s", [users["admin"].pk, target.pk])
    assert verify_chain(incident).first_broken == target.pk


def test_tampered_json_data_is_detected(incident, entries):
    target = entries[4]  # the entry with rich data
    raw_sql(
        "UPDATE incidents_logentry SET data = %s WHERE id = %s",
        ['{"z": "last key first", "count": 13}', target.pk],
    )
    assert verify_chain(incident).first_broken == target.pk


def test_rehashed_entry_breaks_the_next_link(incident, entries):
    """Someone rewrites an entry and recomputes its own hash: the next entry no longer follows it."""
    target = entries[2]
    target.text = "Rewritten, with a fresh hash"
    raw_sql(
        "UPDATE incidents_logentry SET text = %s, hash = %s WHERE id = %s",
        [target.text, compute_hash(target.prev_hash, target), target.pk],
    )
    report = verify_chain(incident)
    assert (report.valid, report.first_broken) == (False, entries[3].pk)
    assert "follow" in report.problem


def test_deleted_middle_entry_is_detected(incident, entries):
    raw_sql("DELETE FROM incidents_logentry WHERE id = %s", [entries[2].pk])
    report = verify_chain(incident)
    assert (report.valid, report.first_broken, report.first_broken_seq) == (False, entries[3].pk, 3)
    assert "missing" in report.problem


def test_deleted_first_entry_is_detected(incident, entries):
    raw_sql("DELETE FROM incidents_logentry WHERE id = %s", [entries[0].pk])
    report = verify_chain(incident)
    assert (report.valid, report.first_broken, report.first_broken_seq) == (False, entries[1].pk, 1)


def test_deleted_tail_is_detected(incident, entries):
    raw_sql("DELETE FROM incidents_logentry WHERE id IN (%s, %s)", [entries[-2].pk, entries[-1].pk])
    report = verify_chain(incident)
    # No stored entry is wrong; the report says where the log stops being whole.
    assert (report.valid, report.checked, report.first_broken, report.first_broken_seq) == (False, 5, None, 6)
    assert "missing" in report.problem


def test_swapped_entries_are_detected(incident, entries):
    a, b = entries[2], entries[3]
    raw_sql("UPDATE incidents_logentry SET seq = 1000 WHERE id = %s", [a.pk])
    raw_sql("UPDATE incidents_logentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    raw_sql("UPDATE incidents_logentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    report = verify_chain(incident)
    assert (report.valid, report.first_broken) == (False, b.pk)


def test_the_periodic_task_reports_broken_logs(incident, foreign_incident, entries):
    from incidents.tasks import verify_all_log_chains

    assert verify_all_log_chains() == {"broken": {}}
    raw_sql("UPDATE incidents_logentry SET text = 'x' WHERE id = %s", [entries[1].pk])
    assert verify_all_log_chains() == {"broken": {incident.pk: entries[1].pk}}
