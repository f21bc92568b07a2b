"""The tasks and playbooks API: who may do what, bad input, constant queries."""

import pytest

from playbooks import services
from playbooks.models import Task

from ..shared import SHARED
from .builders import bulk_tasks
from .helpers import CONTENT

pytestmark = [pytest.mark.django_db, SHARED]


def tasks_url(incident):
    return f"/api/v1/incidents/{incident.pk}/tasks/"


@pytest.fixture
def task(incident, users):
    return services.task_create(actor=users["member"], incident=incident, title="Vérifier la source")


@pytest.mark.parametrize(
    "who, expected", [("outsider", 404), ("observer", 200), ("member", 200), ("manager", 200), (None, 401)]
)
def test_list_tasks(api, users, incident, task, who, expected):
    response = api(users[who] if who else None).get(tasks_url(incident))
    assert response.status_code == expected
    if expected == 200:
        assert [row["title"] for row in response.json()["results"]] == ["Vérifier la source"]


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 201)])
def test_add_a_task(api, users, incident, who, expected):
    response = api(users[who]).post(
        tasks_url(incident), {"title": "Appeler l'AFP", "assignee": users["member2"].pk}, format="json"
    )
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["assignee_name"]


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member2", 200)])
def test_move_a_task(api, users, incident, task, who, expected):
    response = api(users[who]).post(f"{tasks_url(incident)}{task.pk}/move/", {"to": "done"}, format="json")
    assert response.status_code == expected, response.content
    assert Task.objects.get(pk=task.pk).status == ("done" if expected == 200 else "todo")


def test_bad_moves_are_400_and_stale_ones_409(api, users, incident, task):
    client = api(users["member"])
    url = f"{tasks_url(incident)}{task.pk}/move/"
    assert client.post(url, {"to": "finished"}, format="json").status_code == 400
    assert client.post(url, {"to": "done", "extra": 1}, format="json").status_code == 400
    assert client.post(url, {"to": "done"}, format="json").status_code == 200
    stale = client.post(url, {"to": "cancelled", "expected_status": "todo"}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "done"
    refused = client.post(url, {"to": "cancelled"}, format="json")
    assert refused.status_code == 400 and refused.json()["to"]


def test_patch_a_task_with_a_stale_revision_is_409(api, users, incident, task):
    client = api(users["member"])
    url = f"{tasks_url(incident)}{task.pk}/"
    assert client.patch(url, {"title": "Nouveau titre", "revision": 1}, format="json").status_code == 200
    assert client.patch(url, {"title": "Encore", "revision": 1}, format="json").status_code == 409
    assert client.patch(url, {"assignee": users["outsider"].pk}, format="json").status_code == 400


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403), ("manager", 201)])
def test_save_a_playbook(api, users, cell, who, expected):
    response = api(users[who]).post(f"/api/v1/cells/{cell.pk}/playbooks/", {"content": CONTENT}, format="json")
    assert response.status_code == expected, response.content


def test_an_invalid_playbook_says_where(api, users, cell):
    bad = {"crisis_type": "other", "name": "x", "levels": {"crisis": {"tasks": [{"title": ""}]}}}
    response = api(users["manager"]).post(f"/api/v1/cells/{cell.pk}/playbooks/", {"content": bad}, format="json")
    assert response.status_code == 400
    assert "levels.crisis.tasks[0].title" in response.json()


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("manager", 200)])
def test_list_playbooks(api, users, cell, who, expected):
    services.playbook_save(actor=users["manager"], cell=cell, content=CONTENT)
    response = api(users[who]).get(f"/api/v1/cells/{cell.pk}/playbooks/")
    assert response.status_code == expected
    if expected == 200:
        [playbook] = response.json()["results"]
        assert playbook["current"]["number"] == 1
        versions = api(users[who]).get(f"/api/v1/cells/{cell.pk}/playbooks/{playbook['id']}/versions/")
        assert [v["number"] for v in versions.json()] == [1]


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("member", 403), ("manager", 201)])
def test_apply_a_level(api, users, cell, incident, who, expected):
    services.playbook_save(actor=users["manager"], cell=cell, content=CONTENT)
    response = api(users[who]).post(f"{tasks_url(incident)}apply/", {"level": "alert"}, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        assert len(response.json()) == 2
        again = api(users[who]).post(f"{tasks_url(incident)}apply/", {"level": "alert"}, format="json")
        assert again.status_code == 409


def test_my_tasks_lists_only_mine_open_in_my_cells(api, users, incident, foreign_incident):
    mine = services.task_create(actor=users["member"], incident=incident, title="À moi", assignee=users["member"])
    services.task_create(actor=users["member"], incident=incident, title="À mia", assignee=users["member2"])
    done = services.task_create(actor=users["member"], incident=incident, title="Fini", assignee=users["member"])
    services.task_move(actor=users["member"], task=done, to="done")
    response = api(users["member"]).get("/api/v1/my-tasks/")
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert api(users["outsider"]).get("/api/v1/my-tasks/").json()["results"] == []
    assert api().get("/api/v1/my-tasks/").status_code == 401


MY_TASKS_QUERIES = {10: 2, 1000: 3}


@pytest.mark.parametrize("n", [10, 1000])
def test_task_lists_take_constant_queries(api, users, incident, n, django_assert_num_queries):
    bulk_tasks(incident, n, assignee=users["member"])
    client = api(users["member"])
    # The incident with the membership, the page (assignees joined); the count only when the list
    # does not fit on the first page. The same for 1,000 tasks as for 10.
    with django_assert_num_queries(2 if n <= 200 else 3):
        assert client.get(tasks_url(incident) + "?page_size=200").status_code == 200
    with django_assert_num_queries(MY_TASKS_QUERIES[n]):  # the cells of the user, the page (+ the count)
        assert client.get("/api/v1/my-tasks/?page_size=200").status_code == 200
