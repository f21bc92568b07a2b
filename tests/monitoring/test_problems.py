"""Every problem a person reads is in their language: the batch API's per-record errors (see
test_ingest_api), a source's last error on the page and in the API, an import's report. They
are stored as a code and parameters (monitoring/problems.py) and worded when shown."""

import msgspec
import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring import imports, polling, problems, services
from monitoring.ingest import MentionIn
from monitoring.models import SourceKind

from .support import make_source

pytestmark = pytest.mark.django_db


def test_a_sources_last_error_is_worded_for_its_reader(cell, cell_admin, local_http):
    local_http.routes["/feed.rss"] = lambda request: (200, {"Content-Type": "text/html"}, b"<html>no feed")
    feed = make_source(
        cell, name="Actu", kind=SourceKind.RSS, url=local_http.url + "/feed.rss", next_poll_at=timezone.now()
    )
    assert polling.poll(feed.pk) is None
    feed.refresh_from_db()
    assert feed.last_problem["code"] == "not_a_feed"
    assert feed.last_error.startswith("Not a readable RSS/Atom feed")  # English, for logs
    page = Client()
    page.force_login(cell_admin)
    french = page.get(f"/cells/{cell.pk}/monitoring/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = page.get(f"/cells/{cell.pk}/monitoring/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ce n&#x27;est pas un flux RSS/Atom lisible" in french and "Not a readable" not in french
    assert "Not a readable RSS/Atom feed" in english
    api = APIClient()
    api.force_authenticate(cell_admin)
    url = f"/api/v1/cells/{cell.pk}/monitoring/sources/{feed.pk}/"
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()["last_error"].startswith("Ce n'est pas un flux RSS/Atom")
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["last_error"].startswith("Not a readable RSS/Atom feed")


def test_an_imports_report_is_worded_for_its_reader(cell, member):
    content = (
        b"Id,Content,Date,Author,Followers\n"
        b"a1,Durand,2026-12-01T10:00:00Z,lea,12\n"
        b"a2,,2026-12-01T10:00:00Z,lea,12\n"
        b"a3,Durand,demain,lea,12\n"
        b"a4,Durand,2026-12-01T10:00:00Z,lea,beaucoup\n"
    )
    job = services.import_create(actor=member, cell=cell, filename="export.csv", content=content)
    imports.run_job(job.pk)
    client = Client()
    client.force_login(member)
    url = f"/cells/{cell.pk}/monitoring/imports/{job.pk}/progress/"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ["Il manque Content.", "Date : pas une date (demain).", "Followers : pas un nombre entier (beaucoup)."]:
        assert text in french
    for text in ["Content is missing.", "Date: not a date (demain).", "Followers: not a whole number (beaucoup)."]:
        assert text in english


def test_a_file_that_fails_as_a_whole_is_worded_for_its_reader(cell, member):
    job = services.import_create(
        actor=member, cell=cell, filename="export.csv", content=b"Id,Texte\na,b\n", preset="listening-en"
    )
    finished = imports.run_job(job.pk)
    assert finished.problem_data["code"] == "columns_missing"
    client = Client()
    client.force_login(member)
    url = f"/cells/{cell.pk}/monitoring/imports/{job.pk}/progress/"
    assert "Colonnes absentes du fichier" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Columns not in the file" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize(
    ("raw", "code", "params"),
    [
        (b'{"text": 1}', "type", {"expected": "str", "got": "int", "field": "text"}),
        (b"{}", "missing", {"field": "external_id"}),
        (
            b'{"external_id": "", "text": "t", "published_at": "2026-12-01T10:00:00Z"}',
            "too_short",
            {"limit": "1", "field": "external_id"},
        ),
        (b'{"external_id": "a", "text": "t", "published_at": "hier"}', "datetime", {"field": "published_at"}),
        (
            b'{"external_id": "a", "text": "t", "published_at": "2026-12-01T10:00:00Z", "likes": -1}',
            "too_small",
            {"limit": "0", "field": "likes"},
        ),
        (b'{"a":', "truncated", {"field": ""}),
        (b"\xff", "malformed", {"byte": "0", "field": ""}),
    ],
)
def test_msgspecs_messages_become_problems(raw, code, params):
    with pytest.raises((msgspec.ValidationError, msgspec.DecodeError)) as caught:
        msgspec.json.decode(raw, type=MentionIn)
    problem = problems.from_msgspec(caught.value)
    assert (problem.code, problem.params) == (code, params)
    assert str(problem) and "%(" not in str(problem)


def test_an_unknown_msgspec_message_keeps_its_detail_inside_a_translated_sentence():
    problem = problems.from_msgspec(msgspec.ValidationError("Something new - at `$.text`"))
    assert problem.code == "invalid" and problem.english() == "Invalid record (Something new - at `text`)."
    assert problems.word({"code": "gone"}, "fallback") == "fallback"


@pytest.mark.parametrize(
    ("config", "said"),
    [(None, "may not be null"), ([1, 2], "JSON object"), ({"exercise": 1}, "reserved for drills")],
)
def test_a_sources_settings_must_be_an_object_and_never_pose_as_a_drill(cell, cell_admin, config, said):
    api = APIClient()
    api.force_authenticate(cell_admin)
    url = f"/api/v1/cells/{cell.pk}/monitoring/sources/"
    body = {"kind": "rss", "name": "Actu", "url": "https://example.org/feed.rss", "config": config}
    answer = api.post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert said in str(answer.json()["config"])
    assert not cell.monitoring_sources.exists()  # nothing half-written
