"""The checklist card, its actions, My tasks and the playbooks page: who may, what they see, constant queries."""

import pytest
from django.urls import reverse

from playbooks import services
from playbooks.models import PlaybookVersion, Task

from ..shared import SHARED
from .builders import bulk_tasks
from .helpers import CONTENT

pytestmark = [pytest.mark.django_db, SHARED]


@pytest.fixture
def task(incident, users):
    return services.task_create(
        actor=users["member"], incident=incident, title="Appeler <b>l'AFP</b>", assignee=users["member"]
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("member", 200)])
def test_the_workspace_shows_the_checklist(client, users, incident, task, who, expected):
    response = login(client, users[who]).get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert 'id="tasks"' in html and "Appeler &lt;b&gt;l&#x27;AFP&lt;/b&gt;" in html
        # Buttons only for those who may work the checklist.
        assert ('value="done"' in html) == (who == "member")


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("member", 200)])
def test_the_checklist_fragment(client, users, incident, task, who, expected):
    response = login(client, users[who]).get(reverse("playbooks:panel", args=[incident.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member2", 302)])
def test_ticking_a_task(client, users, incident, task, who, expected):
    url = reverse("playbooks:move", args=[incident.pk, task.pk]) + "?from=todo"
    response = login(client, users[who]).post(url, {"to": "done"})
    assert response.status_code == expected
    assert Task.objects.get(pk=task.pk).status == ("done" if expected == 302 else "todo")


def test_ticking_a_task_someone_else_closed_says_so(client, users, incident, task):
    services.task_move(actor=users["member2"], task=task, to="cancelled")
    url = reverse("playbooks:move", args=[incident.pk, task.pk]) + "?from=todo"
    response = login(client, users["member"]).post(url, {"to": "done"}, follow=True)
    assert "meanwhile" in response.content.decode() or "entre-temps" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "cancelled"


def test_htmx_tick_answers_the_fragment(client, users, incident, task):
    url = reverse("playbooks:move", args=[incident.pk, task.pk])
    response = login(client, users["member"]).post(url, {"to": "doing", "from": "todo"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-live-panel="tasks"' in response.content.decode()


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 302)])
def test_adding_a_task(client, users, incident, who, expected):
    response = login(client, users[who]).post(
        reverse("playbooks:add", args=[incident.pk]), {"title": "Prévenir le standard", "due_in": "30"}
    )
    assert response.status_code == expected
    assert Task.objects.filter(incident=incident).exists() == (expected == 302)


def test_bad_task_input_is_said_and_nothing_added(client, users, incident):
    response = login(client, users["member"]).post(
        reverse("playbooks:add", args=[incident.pk]), {"title": "", "due_in": "soon", "assignee": "x"}, follow=True
    )
    assert response.status_code == 200
    assert not Task.objects.filter(incident=incident).exists()


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("member", 403), ("manager", 302)])
def test_applying_a_level_by_hand(client, users, cell, incident, who, expected):
    services.playbook_save(actor=users["manager"], cell=cell, content=CONTENT)
    response = login(client, users[who]).post(reverse("playbooks:apply", args=[incident.pk]), {"level": "alert"})
    assert response.status_code == expected
    assert Task.objects.filter(incident=incident).count() == (2 if expected == 302 else 0)


def test_my_tasks_page(client, users, incident, task):
    html = login(client, users["member"]).get(reverse("playbooks:mine")).content.decode()
    assert "Appeler &lt;b&gt;" in html and incident.title in html
    assert "Appeler" not in login(client, users["outsider"]).get(reverse("playbooks:mine")).content.decode()
    assert client.logout() is None and client.get(reverse("playbooks:mine")).status_code == 302


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("manager", 200)])
def test_the_playbooks_page(client, users, cell, who, expected):
    services.playbook_save(actor=users["manager"], cell=cell, content=CONTENT)
    response = login(client, users[who]).get(reverse("playbooks:cell", args=[cell.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert ("Import" in response.content.decode()) == (who == "manager") or who == "manager"
        download = client.get(reverse("playbooks:export", args=[cell.pk]))
        assert download.status_code == 200 and b"Trouver la source" in download.content


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403)])
def test_only_managers_import_from_the_page(client, users, cell, who, expected):
    response = login(client, users[who]).post(reverse("playbooks:cell", args=[cell.pk]), {"yaml": "playbooks: []"})
    assert response.status_code == expected


def test_an_import_with_problems_lists_them_by_line(client, users, cell):
    text = (
        "playbooks:\n  - crisis_type: rumour\n    name: R\n    levels:\n      alert:\n"
        "        tasks:\n          - role: chef\n"
    )
    response = login(client, users["manager"]).post(reverse("playbooks:cell", args=[cell.pk]), {"yaml": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 7" in html or "Ligne 7" in html
    assert not PlaybookVersion.objects.exists()


MY_TASKS_PAGE = 7


@pytest.mark.parametrize("n", [10, 1000])
def test_checklist_and_my_tasks_take_constant_queries(client, users, incident, n, django_assert_num_queries):
    bulk_tasks(incident, n, assignee=users["member"])
    login(client, users["member"])
    client.get(reverse("playbooks:mine"))  # the session and the user, once
    # The same whatever the number of tasks: the page's own reads (session, user, cell menu...),
    # then the counts per level and the rows with their assignee in one query each.
    with django_assert_num_queries(6):
        assert client.get(reverse("playbooks:panel", args=[incident.pk])).status_code == 200
    with django_assert_num_queries(MY_TASKS_PAGE):
        assert client.get(reverse("playbooks:mine")).status_code == 200
