import pytest

from notifications.services import notify

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def send(user, cell, title="Review due"):
    return notify(users=[user], cell=cell, kind="reminder", title=title)[0]


def test_everyone_lists_and_counts_only_their_own(api, cell, member, manager):
    mine = send(member, cell)
    send(manager, cell)
    listed = api(member).get(URL).json()["results"]
    assert [n["id"] for n in listed] == [mine.pk] and listed[0]["unread"] is True
    assert api(member).get(URL + "unread-count/").json() == {"unread": 1}


def test_mark_one_and_all_read(api, cell, member):
    first, second = send(member, cell), send(member, cell)
    response = api(member).post(f"{URL}{first.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert [n["id"] for n in api(member).get(URL, {"unread": "true"}).json()["results"]] == [second.pk]
    assert api(member).post(URL + "read-all/").json() == {"marked": 1}
    assert api(member).get(URL + "unread-count/").json() == {"unread": 0}


def test_another_persons_notification_is_404(api, cell, member, manager):
    theirs = send(manager, cell)
    assert api(member).get(f"{URL}{theirs.pk}/").status_code == 404
    assert api(member).post(f"{URL}{theirs.pk}/read/").status_code == 404
    assert api(member).get(f"{URL}999999/").status_code == 404


def test_anonymous_gets_401(api):
    for method, path in (("get", URL), ("get", URL + "unread-count/"), ("post", URL + "read-all/")):
        assert getattr(api(), method)(path).status_code == 401


def test_list_query_count_does_not_grow(api, cell, member, django_assert_num_queries):
    client = api(member)
    send(member, cell)
    # The page (no COUNT while the first page is not full; issue 12: was 2).
    with django_assert_num_queries(1):
        client.get(URL)
    for _ in range(10):
        send(member, cell)
    with django_assert_num_queries(1):
        assert len(client.get(URL).json()["results"]) == 11


@pytest.mark.parametrize("role", ["admin", "manager", "member", "observer", "outsider", "anonymous"])
def test_permission_matrix(api, cell, users, role):
    """Lists are per person (200 for anyone signed in); one notification is its owner's alone."""
    owned_by_member = send(users["member"], cell)
    client = api(None if role == "anonymous" else users[role])
    signed_in = 401 if role == "anonymous" else 200
    owner = {"member": 200, "anonymous": 401}.get(role, 404)
    assert client.get(URL).status_code == signed_in
    assert client.get(URL + "unread-count/").status_code == signed_in
    assert client.post(URL + "read-all/").status_code == signed_in
    assert client.get(f"{URL}{owned_by_member.pk}/").status_code == owner
    assert client.post(f"{URL}{owned_by_member.pk}/read/").status_code == owner
