"""A crisis log that survives an insider (issue 10): signed checkpoints outside the database.

Two attacks by someone with write access to the database used to leave the
verifier saying "valid": delete the last entries and lower the counter, or
rewrite an entry and recompute every later hash. Both are now reported, naming
the first entry that no longer matches a checkpoint; entries after the latest
checkpoint are reported as not covered yet.
"""

import json
from pathlib import Path

import pytest
from django.db import connection, transaction

from incidents import anchoring, services
from incidents.crisislog import compute_hash, verify_chain
from incidents.log_verification import verify_log
from incidents.models import Incident, LogCheckpoint, LogEntry

from ..services_check import require_service
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def add_entries(incident, actor, count):
    for n in range(count):
        services.log_entry_add(actor=actor, incident=incident, text=f"Entry {n}", category="information")


def raw(sql, params=()):
    """What an insider does: SQL on the tables, past the ORM guards and, as a database
    superuser, past the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def anchored(incident, member):
    """An incident with 6 entries, the first 5 of them covered by a checkpoint."""
    add_entries(incident, member, 4)  # 1 (created) + 4 = 5
    checkpoint = anchoring.anchor_incident(incident.pk)
    assert checkpoint is not None and checkpoint.seq == 5
    add_entries(incident, member, 1)  # #6: not covered yet
    return Incident.objects.get(pk=incident.pk)


def test_a_checkpoint_is_signed_and_written_outside_the_database(anchored, settings):
    lines = [json.loads(line) for line in Path(settings.CRISIS_LOG_ANCHOR_FILE).read_text().splitlines()]
    assert len(lines) == 1
    payload = lines[0]["payload"]
    assert payload["incident"] == anchored.pk and payload["seq"] == 5
    assert [seq for seq, _hash in payload["entries"]] == [1, 2, 3, 4, 5]
    assert payload["hash"] == LogEntry.objects.get(incident=anchored, seq=5).hash
    # Nothing new, nothing signed; then only what is new.
    anchoring.anchor_incident(anchored.pk)
    lines = [json.loads(line) for line in Path(settings.CRISIS_LOG_ANCHOR_FILE).read_text().splitlines()]
    assert [seq for seq, _hash in lines[1]["payload"]["entries"]] == [6]
    assert anchoring.anchor_incident(anchored.pk) is None


def test_an_intact_log_says_what_is_covered(anchored):
    report = verify_log(anchored.pk)
    assert report.valid and report.checked == 6 and report.total == 6
    assert report.covered_seq == 5 and report.checkpoint_at is not None


def test_truncating_the_tail_and_lowering_the_counter_is_caught(anchored):
    raw("DELETE FROM incidents_logentry WHERE incident_id = %s AND seq >= 4", [anchored.pk])
    raw("UPDATE incidents_incident SET log_seq = 3 WHERE id = %s", [anchored.pk])
    assert verify_chain(anchored).valid  # the chain alone is fooled
    report = verify_log(anchored.pk)
    assert not report.valid
    assert report.first_broken_seq == 4
    assert "#4 to #5" in report.problem and "signed checkpoint" in report.problem


def test_rewriting_an_entry_and_recomputing_the_chain_is_caught(anchored):
    target = LogEntry.objects.get(incident=anchored, seq=3)
    raw("UPDATE incidents_logentry SET text = %s WHERE id = %s", ["Nothing happened.", target.pk])
    # Recompute every hash from #3 on, as an insider with the code would.
    previous = LogEntry.objects.get(incident=anchored, seq=2).hash
    for entry in LogEntry.objects.filter(incident=anchored, seq__gte=3).order_by("seq"):
        new_hash = compute_hash(previous, entry)
        raw("UPDATE incidents_logentry SET prev_hash = %s, hash = %s WHERE id = %s", [previous, new_hash, entry.pk])
        previous = new_hash
    assert verify_chain(anchored).valid  # the chain alone is fooled
    report = verify_log(anchored.pk)
    assert not report.valid
    assert (report.first_broken_seq, report.first_broken) == (3, target.pk)
    assert "no longer matches the signed checkpoint" in report.problem


def test_deleting_the_checkpoints_in_the_database_changes_nothing(anchored):
    raw("DELETE FROM incidents_logcheckpoint")
    assert verify_log(anchored.pk).covered_seq == 5


def test_a_forged_checkpoint_line_is_not_believed(anchored, settings):
    forged = {
        "payload": {
            "incident": anchored.pk,
            "seq": 6,
            "hash": "0" * 64,
            "entries": [[6, "0" * 64]],
            "signed_at": "2026-01-01T00:00:00+00:00",
            "v": 1,
            "key_id": "x",
        },
        "signature": "AAAA",
    }
    with open(settings.CRISIS_LOG_ANCHOR_FILE, "a") as file:
        file.write(json.dumps(forged) + "\n")
    report = verify_log(anchored.pk)
    assert report.valid and report.covered_seq == 5
    assert anchoring.anchors_for(anchored.pk).invalid == 1


def test_another_key_cannot_vouch_for_a_log(anchored, settings, tmp_path):
    settings.CRISIS_LOG_SIGNING_KEY_FILE = str(tmp_path / "another.key")
    assert verify_log(anchored.pk).covered_seq == 0


def test_a_level_change_is_anchored_at_once(incident, manager, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from crisiscell.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Spreading")
    finally:
        app.conf.task_always_eager = False
    level_changed = LogEntry.objects.get(incident=incident, kind="level_changed")
    assert LogCheckpoint.objects.filter(incident=incident, seq__gte=level_changed.seq).exists()


def test_the_beat_job_anchors_every_log_that_moved(incident, foreign_incident, member):
    from incidents.tasks import anchor_crisis_logs

    assert anchor_crisis_logs() == 2
    assert anchor_crisis_logs() == 0
    add_entries(incident, member, 1)
    assert anchor_crisis_logs() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_truncate_of_the_log_is_refused_by_postgresql(incident):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    from django.db import DatabaseError

    for statement in ("TRUNCATE incidents_logentry CASCADE", "TRUNCATE incidents_incident CASCADE"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert LogEntry.objects.filter(incident=incident).exists()


# --- The periodic check, incremental from the latest checkpoint (issue 12) ----------------------


def test_from_the_checkpoint_only_what_came_after_is_rehashed(anchored, monkeypatch):
    from incidents import log_verification

    hashed = []
    original = log_verification.compute_hash
    monkeypatch.setattr(
        log_verification, "compute_hash", lambda prev, entry: hashed.append(entry.seq) or original(prev, entry)
    )
    report = verify_log(anchored.pk, from_checkpoint=True)
    assert report.valid and report.checked == 6 and report.total == 6 and report.covered_seq == 5
    assert hashed == [6]


def test_from_the_checkpoint_a_rewritten_and_recomputed_past_is_caught(anchored):
    previous = LogEntry.objects.get(incident=anchored, seq=2).hash
    raw("UPDATE incidents_logentry SET text = %s WHERE incident_id = %s AND seq = 3", ["Nothing.", anchored.pk])
    for entry in LogEntry.objects.filter(incident=anchored, seq__gte=3).order_by("seq"):
        new_hash = compute_hash(previous, entry)
        raw("UPDATE incidents_logentry SET prev_hash = %s, hash = %s WHERE id = %s", [previous, new_hash, entry.pk])
        previous = new_hash
    report = verify_log(anchored.pk, from_checkpoint=True)
    # The signed head no longer matches: the full verification then names #3.
    assert not report.valid and report.first_broken_seq == 5
    assert "no longer matches the signed checkpoint" in report.problem


def test_from_the_checkpoint_a_removed_tail_is_caught(anchored):
    raw("DELETE FROM incidents_logentry WHERE incident_id = %s AND seq >= 4", [anchored.pk])
    raw("UPDATE incidents_incident SET log_seq = 3 WHERE id = %s", [anchored.pk])
    report = verify_log(anchored.pk, from_checkpoint=True)
    assert not report.valid and report.first_broken_seq == 5 and "signed checkpoint" in report.problem


def test_from_the_checkpoint_a_broken_entry_after_it_is_caught(anchored):
    raw("UPDATE incidents_logentry SET text = %s WHERE incident_id = %s AND seq = 6", ["Edited", anchored.pk])
    report = verify_log(anchored.pk, from_checkpoint=True)
    assert not report.valid and report.first_broken_seq == 6 and "does not match its hash" in report.problem
