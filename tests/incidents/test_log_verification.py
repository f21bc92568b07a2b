"""The crisis log's verification from the workspace and the API (issue 9, moved to 10).

A button in the workspace asks for it; a Celery task runs it (never the web
request) and records its report; the card shows who asked, when, the progress
of a long log, and the verdict: intact, or the entry where it breaks, and which
entries a signed checkpoint covers.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import anchoring, log_verification, services
from incidents.models import LogVerification

from .support import fast_password_hasher  # noqa: F401  (autouse)
from .test_anchoring import add_entries, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(settings):
    from crisiscell.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def page(client, incident, language):
    client.cookies["django_language"] = language
    return client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()


def test_an_observer_verifies_from_the_workspace(client, users, incident, eager, django_capture_on_commit_callbacks):
    add_entries(incident, users["member"], 3)
    anchoring.anchor_incident(incident.pk)
    add_entries(incident, users["member"], 2)
    client.force_login(users["observer"])
    assert "Verify the crisis log" in page(client, incident, "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:log-verify", args=[incident.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith("#log-verification")
    verification = LogVerification.objects.get()
    assert (verification.status, verification.valid, verification.requested_by) == ("done", True, users["observer"])
    assert (verification.checked, verification.covered_seq, verification.uncovered) == (6, 4, 2)
    english = page(client, incident, "en")
    assert "Intact" in english and "6 entries checked" in english
    assert "Entries #1 to #4 are covered by a signed checkpoint" in english
    assert "2 later entries are not covered yet" in english
    assert "Checked at the request of" in english
    french = page(client, incident, "fr")
    assert "Intact" in french and "6 entrées vérifiées" in french
    assert "Les entrées n° 1 à n° 4 sont couvertes" in french


def test_the_card_shows_the_entry_where_the_log_breaks(
    client, users, incident, eager, django_capture_on_commit_callbacks
):
    add_entries(incident, users["member"], 4)
    anchoring.anchor_incident(incident.pk)
    raw("DELETE FROM incidents_logentry WHERE incident_id = %s AND seq >= 4", [incident.pk])
    raw("UPDATE incidents_incident SET log_seq = 3 WHERE id = %s", [incident.pk])
    client.force_login(users["member"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:log-verify", args=[incident.pk]))
    english = page(client, incident, "en")
    assert "Tampering detected" in english
    assert "the log breaks at entry #4" in english
    assert "entries #4 to #5 were covered by a signed checkpoint and are gone" in english
    french = page(client, incident, "fr")
    assert "Falsification détectée" in french


def test_the_web_request_only_asks_and_a_second_click_reuses_the_pending_check(client, users, incident):
    client.force_login(users["member"])
    url = reverse("incidents:log-verify", args=[incident.pk])
    client.post(url)
    client.post(url, HTTP_HX_REQUEST="true")
    verification = LogVerification.objects.get()
    assert verification.status == "pending" and verification.checked == 0
    # While it waits, the card polls itself and shows the progress.
    LogVerification.objects.filter(pk=verification.pk).update(status="running", checked=2, total=7)
    card = client.get(reverse("incidents:log-verification", args=[incident.pk]), HTTP_ACCEPT_LANGUAGE="en")
    content = card.content.decode()
    assert 'hx-trigger="every 2s"' in content
    assert '<progress max="7" value="2">' in content


def test_progress_is_recorded_while_a_long_log_is_checked(users, incident, monkeypatch):
    monkeypatch.setattr(log_verification, "PROGRESS_EVERY", 3)
    add_entries(incident, users["member"], 9)
    verification = LogVerification.objects.create(incident=incident, requested_by=users["member"])
    seen = []
    original = log_verification.verify_log

    def spying(incident_id, progress):
        def record(checked, total):
            progress(checked, total)
            seen.append(LogVerification.objects.values_list("status", "checked", "total").get(pk=verification.pk))

        return original(incident_id, record)

    monkeypatch.setattr(log_verification, "verify_log", spying)
    done = log_verification.run(verification.pk)
    assert seen == [("running", 3, 10), ("running", 6, 10), ("running", 9, 10)]
    assert (done.status, done.checked, done.valid) == ("done", 10, True)
    # A redelivered task finds it done: nothing runs twice.
    assert log_verification.run(verification.pk) is None


def test_outsiders_and_anonymous_cannot_verify(client, users, incident):
    client.force_login(users["outsider"])
    assert client.post(reverse("incidents:log-verify", args=[incident.pk])).status_code == 404
    assert client.get(reverse("incidents:log-verification", args=[incident.pk])).status_code == 404
    client.logout()
    assert client.post(reverse("incidents:log-verify", args=[incident.pk])).status_code == 302
    assert not LogVerification.objects.exists()


def test_the_api_asks_and_reads_the_verification(users, incident, eager, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(users["observer"])
    url = f"/api/v1/incidents/{incident.pk}/log/verify/"
    assert api.get(url).json()["status"] == "none"
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post(url)
    assert asked.status_code == 202
    assert asked.json()["status"] == "pending"
    report = api.get(url).json()
    assert report["status"] == "done" and report["valid"] is True
    assert report["checked"] == report["total"] == 1
    assert report["requested_by_name"] == str(users["observer"])
    outsider = APIClient()
    outsider.force_authenticate(users["outsider"])
    assert outsider.get(url).status_code == 404 and outsider.post(url).status_code == 404


def test_the_nightly_check_and_the_command_use_the_checkpoints(users, incident, capsys):
    from django.core.management import call_command

    add_entries(incident, users["member"], 2)
    anchoring.anchor_incident(incident.pk)
    call_command("verify_crisis_log", "--incident", str(incident.pk), verbosity=2)
    assert "#1 to #3 covered by a signed checkpoint" in capsys.readouterr().out
    services.log_entry_add(actor=users["member"], incident=incident, text="x", category="information")
