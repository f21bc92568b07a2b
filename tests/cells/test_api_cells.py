"""REST API v1, cells and members: any member reads; only a cell admin adds, re-roles and removes."""

import pytest

from cells.models import Membership, Role

from ..factories import MembershipFactory, UserFactory
from ..incidents.support import counts, fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def members_url(cell) -> str:
    return f"/api/v1/cells/{cell.pk}/members/"


def member_url(membership) -> str:
    return f"/api/v1/cells/{membership.cell_id}/members/{membership.pk}/"


def membership(cell, user) -> Membership:
    return Membership.objects.get(cell=cell, user=user)


# --- Cells --------------------------------------------------------------------------------------


def test_cells_list_with_my_role(api, users, cell, other_cell):
    MembershipFactory(cell=other_cell, user=users["member"], role=Role.OBSERVER)
    body = api(users["member"]).get("/api/v1/cells/").json()
    assert body["count"] == 2
    assert [(row["id"], row["name"], row["my_role"]) for row in body["results"]] == [
        (cell.pk, "Cellule Durand", "member"),
        (other_cell.pk, "Other Org", "observer"),
    ]
    assert set(body["results"][0]) == {"id", "name", "description", "created_at", "my_role"}


def test_cells_list_shows_only_my_cells(api, users, other_cell):
    rows = api(users["outsider"]).get("/api/v1/cells/").json()["results"]
    assert [row["id"] for row in rows] == [other_cell.pk]


def test_cell_detail(api, users, cell, other_cell):
    assert api(users["observer"]).get(f"/api/v1/cells/{cell.pk}/").json()["my_role"] == "observer"
    assert api(users["observer"]).get(f"/api/v1/cells/{other_cell.pk}/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_cells_are_read_only_in_the_api(api, users, cell, method):
    url = "/api/v1/cells/" if method == "post" else f"/api/v1/cells/{cell.pk}/"
    before = counts()
    assert getattr(api(users["admin"]), method)(url, {"name": "Renamed"}).status_code == 405
    assert counts() == before


# --- Members: read ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["observer", "member", "manager", "admin"])
def test_any_member_lists_members(api, users, cell, role):
    response = api(users[role]).get(members_url(cell))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["username"], row["role"]) for row in rows] == [
        ("alice", "admin"),
        ("max", "member"),
        ("mia", "member"),
        ("mona", "manager"),
        ("olga", "observer"),
    ]
    assert set(rows[0]) == {"id", "cell", "user", "username", "full_name", "role", "created_at"}


def test_member_detail(api, users, cell):
    target = membership(cell, users["member"])
    assert api(users["observer"]).get(member_url(target)).json()["username"] == "max"


def test_outsider_cannot_see_members(api, users, cell):
    assert api(users["outsider"]).get(members_url(cell)).status_code == 404
    assert api(users["outsider"]).get(member_url(membership(cell, users["member"]))).status_code == 404


# --- Members: write (cell admin) --------------------------------------------------------------------


def test_admin_adds_a_member(api, users, cell):
    nina = UserFactory(username="nina", first_name="Nina", last_name="Net")
    response = api(users["admin"]).post(members_url(cell), {"username": "nina", "role": "observer"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["username"], body["role"], body["user"], body["cell"], body["full_name"]) == (
        "nina",
        "observer",
        nina.pk,
        cell.pk,
        "Nina Net",
    )
    assert membership(cell, nina).role == Role.OBSERVER


def test_admin_changes_a_role(api, users, cell):
    target = membership(cell, users["member"])
    response = api(users["admin"]).patch(member_url(target), {"role": "manager"})
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert membership(cell, users["member"]).role == Role.MANAGER


def test_admin_removes_a_member(api, users, cell):
    target = membership(cell, users["member2"])
    assert api(users["admin"]).delete(member_url(target)).status_code == 204
    assert not Membership.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("role", ["observer", "member", "manager"])
def test_only_admins_manage_members(api, users, cell, role):
    UserFactory(username="nina")
    target = membership(cell, users["member2"])
    client = api(users[role])
    before = counts()
    assert client.post(members_url(cell), {"username": "nina", "role": "member"}).status_code == 403
    assert client.patch(member_url(target), {"role": "admin"}).status_code == 403
    assert client.delete(member_url(target)).status_code == 403
    # Not even on themselves.
    assert client.patch(member_url(membership(cell, users[role])), {"role": "admin"}).status_code == 403
    assert counts() == before
    assert membership(cell, users["member2"]).role == Role.MEMBER


def test_outsider_admin_of_another_cell_cannot_manage_this_one(api, users, cell):
    UserFactory(username="nina")
    target = membership(cell, users["member2"])
    client = api(users["outsider"])
    before = counts()
    assert client.post(members_url(cell), {"username": "nina", "role": "member"}).status_code == 404
    assert client.patch(member_url(target), {"role": "observer"}).status_code == 404
    assert client.delete(member_url(target)).status_code == 404
    assert counts() == before


def test_membership_of_another_cell_is_not_found_under_this_one(api, users, cell, other_cell):
    foreign = membership(other_cell, users["outsider"])
    before = counts()
    assert api(users["admin"]).delete(f"{members_url(cell)}{foreign.pk}/").status_code == 404
    assert counts() == before


def test_last_admin_cannot_be_demoted_or_removed(api, users, cell):
    alice = membership(cell, users["admin"])
    client = api(users["admin"])
    response = client.patch(member_url(alice), {"role": "manager"})
    assert response.status_code == 400
    assert "role" in response.json()
    assert client.delete(member_url(alice)).status_code == 400
    assert membership(cell, users["admin"]).role == Role.ADMIN


def test_admin_steps_down_when_another_admin_exists(api, users, cell):
    MembershipFactory(cell=cell, user=UserFactory(username="adele"), role=Role.ADMIN)
    alice = membership(cell, users["admin"])
    assert api(users["admin"]).patch(member_url(alice), {"role": "member"}).status_code == 200
    # Alice is no admin any more: her next change is refused.
    assert api(users["admin"]).patch(member_url(alice), {"role": "admin"}).status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "max", "role": "member"}, "username"),  # already a member
        ({"username": "ghost", "role": "member"}, "username"),  # no such user
        ({"username": "sleeper", "role": "member"}, "username"),  # inactive
        ({"username": "nina", "role": "overlord"}, "role"),
        ({"username": "nina"}, "role"),
        ({"role": "member"}, "username"),
        ({"username": "nina", "role": "member", "cell": 99}, "cell"),
        ({"username": "nina", "role": "member", "user": 1}, "user"),
        ({"username": ["nina"], "role": "member"}, "username"),
    ],
)
def test_add_member_bad_input(api, users, cell, data, field):
    UserFactory(username="nina")
    UserFactory(username="sleeper", is_active=False)
    before = counts()
    response = api(users["admin"]).post(members_url(cell), data)
    assert response.status_code == 400
    assert field in response.json()
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "role"),
        ({"role": "overlord"}, "role"),
        ({"role": None}, "role"),
        ({"username": "mia"}, "username"),
    ],
)
def test_change_role_bad_input(api, users, cell, data, field):
    target = membership(cell, users["member"])
    response = api(users["admin"]).patch(member_url(target), data)
    assert response.status_code == 400
    assert field in response.json()
    assert membership(cell, users["member"]).role == Role.MEMBER


def test_put_is_not_allowed_on_members(api, users, cell):
    target = membership(cell, users["member"])
    assert api(users["admin"]).put(member_url(target), {"role": "manager"}).status_code == 405


@pytest.mark.parametrize("path", ["/api/v1/cells/999999/members/", "/api/v1/cells/abc/members/"])
def test_unknown_cell(api, users, path):
    assert api(users["admin"]).get(path).status_code == 404
