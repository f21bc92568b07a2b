"""`manage.py verify_crisis_log`: verifies one incident or all, names the first broken entry, exits 1 when broken."""

import io

import pytest
from django.core.management import CommandError, call_command

from incidents import services
from incidents.models import LogEntry

from .support import fast_password_hasher  # noqa: F401  (autouse)
from .test_crisislog import raw_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(incident, foreign_incident, manager):
    services.log_entry_add(actor=manager, incident=incident, text="Premier signal 🔎")
    services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Pic")
    return incident, foreign_incident


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_crisis_log", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_all_valid(logs):
    out, err = run()
    assert "valid" in out and "4 entries" in out
    assert err == ""


def test_one_incident(logs):
    incident, _foreign = logs
    out, _err = run("--incident", str(incident.pk), "--verbosity", "2")
    assert f"incident {incident.pk}: 3 entries, chain valid" in out
    assert "4 entries" not in out


def test_broken_log_names_the_first_broken_entry_and_fails(logs):
    incident, foreign = logs
    second = LogEntry.objects.get(incident=incident, seq=2)
    raw_sql("UPDATE incidents_logentry SET text = 'Rien' WHERE id = %s", [second.pk])
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_crisis_log", stdout=io.StringIO(), stderr=err)
    # manage.py exits with this status (BaseCommand.run_from_argv), so cron and CI see it.
    assert failed.value.returncode == 1
    assert f"incident {incident.pk}" in err.getvalue()
    assert f"entry {second.pk}" in err.getvalue()
    assert f"incident {foreign.pk}" not in err.getvalue()
    # The other incident alone is still fine.
    out, _err = run("--incident", str(foreign.pk))
    assert "valid" in out


def test_missing_tail_is_reported(logs):
    incident, _foreign = logs
    last = LogEntry.objects.get(incident=incident, seq=3)
    raw_sql("DELETE FROM incidents_logentry WHERE id = %s", [last.pk])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_crisis_log", "--incident", str(incident.pk), stdout=io.StringIO(), stderr=err)
    assert "end of the log" in err.getvalue() and "#3" in err.getvalue()


def test_unknown_incident(logs):
    with pytest.raises(CommandError, match="No incident with id 999999"):
        run("--incident", "999999")


def test_no_incident_at_all(db):
    out, _err = run()
    assert "0 entries checked" in out
