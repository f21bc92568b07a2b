"""File imports: presets and column mapping, CSV and JSONL, per-row errors, idempotence,
the management command's progress bar and report, and the upload page's permissions."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from monitoring import imports, services
from monitoring.models import ImportJob, ImportStatus, Mention

pytestmark = pytest.mark.django_db

CSV_EN = (
    "Id,Content,Date,Author,Author Name,Followers,Language,Url,Likes,Shares,Comments\n"
    "a1,Le sérum Durand brûle,2026-12-01T10:00:00Z,lea,Léa,1200,fr,https://x.example/a1,3,1,0\n"
    'a2,"Durand, encore un rappel ?",2026-12-01 10:05,tom,Tom,\u202f15 000,fr,javascript:alert(1),,,\n'
    "a3,,2026-12-01 10:06,bob,Bob,5,fr,,,,\n"
    "a4,Texte,pas une date,bob,Bob,5,fr,,,,\n"
    "a5,Texte,01/12/2026 10:07,bob,Bob,beaucoup,fr,,,,\n"
)


def test_a_preset_is_detected_and_bad_rows_are_reported_by_number(cell, member):
    job = services.import_create(actor=member, cell=cell, filename="export.csv", content=CSV_EN.encode())
    assert job.preset == "listening-en" and job.total == 5
    finished = imports.run_job(job.pk)
    assert finished.status == ImportStatus.DONE
    assert (finished.kept, finished.duplicates, finished.error_count, finished.processed) == (2, 0, 3, 5)
    assert [e["row"] for e in finished.errors] == [3, 4, 5]
    assert "Content" in finished.errors[0]["reason"] and "Date" in finished.errors[1]["reason"]
    a2 = Mention.objects.get(external_id="a2")
    assert a2.author_reach == 15000 and a2.safe_url == "" and a2.published_at.isoformat() == "2026-12-01T10:05:00+00:00"
    assert imports.run_job(job.pk) is None  # a retried task finds it done


def test_the_same_file_twice_keeps_one_row_per_post(cell, member):
    for expected_kept in (2, 0):
        job = imports.run_job(
            services.import_create(actor=member, cell=cell, filename="e.csv", content=CSV_EN.encode()).pk
        )
        assert job.kept == expected_kept
    assert job.duplicates == 2 and Mention.objects.count() == 2


def test_semicolons_french_columns_and_a_mapping(cell, member):
    french = "Identifiant;Texte;Date;Auteur;Abonnés\nf1;Réponse nulle;01/12/2026 09:00;zoe;300\n"
    job = imports.run_job(
        services.import_create(actor=member, cell=cell, filename="fr.csv", content=french.encode("utf-8-sig")).pk
    )
    assert job.preset == "listening-fr" and job.kept == 1
    custom = "Post ID,Message,Created\nc1,Bonjour,2026-12-01T09:00:00+01:00\n"
    with pytest.raises(ValidationError) as refused:
        services.import_create(actor=member, cell=cell, filename="c.csv", content=custom.encode())
    assert "Post ID, Message, Created" in refused.value.message_dict["mapping"][0]
    mapping = services.parse_mapping("external_id=Post ID\ntext=Message\npublished_at=Created")
    job = imports.run_job(
        services.import_create(actor=member, cell=cell, filename="c.csv", content=custom.encode(), mapping=mapping).pk
    )
    assert job.kept == 1 and Mention.objects.get(external_id="c1").published_at.hour == 8


def test_jsonl(cell, member):
    lines = [
        json.dumps({"external_id": f"j{n}", "text": "Durand", "published_at": "2026-12-01T10:00:00Z"}) for n in range(3)
    ]
    content = "\n".join([*lines, "{broken", "[1]"]).encode()
    job = imports.run_job(services.import_create(actor=member, cell=cell, filename="e.jsonl", content=content).pk)
    assert (job.kept, job.error_count) == (3, 2) and [e["row"] for e in job.errors] == [4, 5]


def test_a_file_that_cannot_be_read_is_refused_at_once(cell, member):
    with pytest.raises(ValidationError, match="UTF-8"):  # the same word in French
        services.import_create(actor=member, cell=cell, filename="e.csv", content="é".encode("latin-1") + b"\n")
    with pytest.raises(ValidationError) as refused:
        services.import_create(actor=member, cell=cell, filename="e.csv", content=b"  ")
    assert "file" in refused.value.message_dict


def test_the_management_command_shows_a_progress_bar_and_the_report(cell, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text(CSV_EN)
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_mentions", str(cell.pk), str(path), stdout=out)
    assert "2 kept, 0 duplicates, 3 errors (of 5 rows)." in out.getvalue()
    assert "row 3: Content is missing." in out.getvalue()
    assert "[########################################] 5/5 100%" in capsys.readouterr().err
    assert ImportJob.objects.get().status == ImportStatus.DONE
    with translation.override("en"), pytest.raises(CommandError, match="No cell"):
        call_command("import_mentions", "999999", str(path))
    # In the project's language by default (French).
    out = io.StringIO()
    call_command("import_mentions", str(cell.pk), str(path), stdout=out)
    assert "Conservées : 0 ; doublons : 2 ; erreurs : 3 ; lignes lues : 5." in out.getvalue()
    assert "ligne 3 : Il manque Content." in out.getvalue()
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("Id,Content\né,à\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_mentions", str(cell.pk), str(bad))


@pytest.mark.parametrize(("role", "code"), [("member", 200), ("observer", 403), ("outsider", 404)])
def test_who_may_import(users, cell, role, code):
    client = Client()
    client.force_login(users[role])
    assert client.get(f"/cells/{cell.pk}/monitoring/imports/new/").status_code == code
    upload = io.BytesIO(CSV_EN.encode())
    upload.name = "export.csv"
    response = client.post(f"/cells/{cell.pk}/monitoring/imports/new/", {"file": upload})
    assert response.status_code == (302 if code == 200 else code)
    assert ImportJob.objects.exists() is (code == 200)
    if code == 200:
        job = ImportJob.objects.get()
        assert client.get(response["Location"]).status_code == 200
        outsider = Client()
        outsider.force_login(users["outsider"])
        assert outsider.get(f"/cells/{cell.pk}/monitoring/imports/{job.pk}/").status_code == 404
