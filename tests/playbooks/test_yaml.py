"""Playbooks as YAML: the round trip, and an import refused line by line that changes nothing."""

import pytest
import yaml

from playbooks import services, yamlio
from playbooks.models import Playbook, PlaybookVersion

from ..shared import SHARED
from .helpers import CONTENT

pytestmark = [pytest.mark.django_db, SHARED]

BAD = """\
playbooks:
  - crisis_type: rumour
    name: Rumeur
    levels:
      alert:
        tasks:
          - title: Trouver la source
            due_minutes: soon
          - title: ""
            role: chef
      panic:
        tasks: []
  - crisis_type: rumour
    name: Encore
    colour: red
"""


def export(api, user, cell):
    response = api(user).get(f"/api/v1/cells/{cell.pk}/playbooks/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    return response.content.decode()


def import_(api, user, cell, text):
    return api(user).post(f"/api/v1/cells/{cell.pk}/playbooks/import/", {"yaml": text}, format="json")


def test_round_trip_export_then_import_changes_nothing(api, users, cell):
    services.playbook_save(actor=users["manager"], cell=cell, content=CONTENT)
    text = export(api, users["observer"], cell)
    assert "Trouver la source de la rumeur" in text and text.startswith("# CrisisCell playbooks")
    assert yaml.safe_load(text)["playbooks"][0]["levels"] == PlaybookVersion.objects.get().content["levels"]
    response = import_(api, users["manager"], cell, text)
    assert response.status_code == 201, response.content
    # The same content: no new version.
    assert [v["number"] for v in response.json()] == [1]
    edited = text.replace("Prévenir la direction", "Prévenir la direction générale")
    assert [v["number"] for v in import_(api, users["manager"], cell, edited).json()] == [2]
    assert "Prévenir la direction générale" in export(api, users["manager"], cell)


def test_each_invalid_line_is_reported_and_nothing_is_imported(api, users, cell):
    response = import_(api, users["manager"], cell, BAD)
    assert response.status_code == 400
    errors = {(e["line"], e["field"]) for e in response.json()["errors"]}
    assert errors == {
        (8, "playbooks[0].levels.alert.tasks[0].due_minutes"),
        (9, "playbooks[0].levels.alert.tasks[1].title"),
        (10, "playbooks[0].levels.alert.tasks[1].role"),
        (11, "playbooks[0].levels.panic"),
        (13, "playbooks[1].crisis_type"),
        (15, "playbooks[1].colour"),
    }
    lines = [e["line"] for e in response.json()["errors"]]
    assert lines == sorted(lines)
    assert not Playbook.objects.filter(cell=cell).exists()


def test_broken_yaml_says_where(api, users, cell):
    response = import_(api, users["manager"], cell, "playbooks:\n  - name: [unclosed\n  - x: 1\n")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["line"] == 3 and "YAML" in error["message"]


def test_a_control_character_is_refused_with_its_line(api, users, cell):
    response = import_(api, users["manager"], cell, "playbooks:\n  - name: x\u009e\n")
    assert response.status_code == 400
    assert [(e["line"], "U+009E" in e["message"]) for e in response.json()["errors"]] == [(2, True)]


@pytest.mark.parametrize("text", ["", "just text", "- a\n- b\n", "playbooks: {}\n", "playbooks: []\n"])
def test_a_file_of_the_wrong_shape_is_refused(api, users, cell, text):
    response = import_(api, users["manager"], cell, text)
    body = response.json()
    assert response.status_code == 400 and (body.get("errors") or body.get("yaml"))


def test_a_person_outside_the_cell_is_refused_in_a_task(users, cell):
    text = (
        "playbooks:\n  - crisis_type: rumour\n    name: R\n    levels:\n      alert:\n"
        "        tasks:\n          - title: T\n            assignee: oscar\n"
    )
    with pytest.raises(yamlio.ImportRefused) as refused:
        yamlio.import_cell(actor=users["manager"], cell=cell, text=text)
    assert [(e.line, e.field) for e in refused.value.errors] == [(8, "playbooks[0].levels.alert.tasks[0].assignee")]


def test_anchors_cannot_blow_up(users, cell):
    # Nine levels of ten aliases each: 10**9 nodes if expanded.
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(8):
        previous, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    bomb = "\n".join(lines) + "\n"
    with pytest.raises(yamlio.ImportRefused):
        yamlio.import_cell(actor=users["manager"], cell=cell, text=bomb)


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403)])
def test_only_managers_import(api, users, cell, who, expected):
    assert import_(api, users[who], cell, "playbooks: []").status_code == expected
    assert not PlaybookVersion.objects.exists()


@pytest.mark.parametrize("who, expected", [("outsider", 404), (None, 401)])
def test_export_is_for_members(api, users, cell, who, expected):
    assert api(users[who] if who else None).get(f"/api/v1/cells/{cell.pk}/playbooks/export/").status_code == expected
