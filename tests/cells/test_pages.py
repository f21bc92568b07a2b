"""The cell switcher and the members page."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from cells.models import Membership, Role
from cells.selectors import SESSION_KEY
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def as_user(client, users):
    def login(key):
        client.force_login(users[key])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def members_url(cell):
    return reverse("cells:members", args=[cell.pk])


def role_of(user, cell):
    return Membership.objects.get(user=user, cell=cell).role


# --- Cell switcher ------------------------------------------------------------------


@pytest.fixture
def member_of_two_cells(users, other_cell):
    MembershipFactory(cell=other_cell, user=users["member"], role=Role.OBSERVER)
    return users["member"]


def test_switch_to_another_own_cell(client, member_of_two_cells, other_cell, foreign_incident, incident):
    client.force_login(member_of_two_cells)
    response = client.post(reverse("cells:switch"), {"cell": other_cell.pk, "next": reverse("incidents:list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:list")
    assert client.session[SESSION_KEY] == other_cell.pk
    content = client.get(reverse("incidents:list")).content.decode()
    assert escape(foreign_incident.title) in content
    assert escape(incident.title) not in content


@pytest.mark.parametrize("cell_value", ["other", "", "not-a-number", "999999"])
def test_switch_only_to_own_cells(client, users, other_cell, cell_value):
    client.force_login(users["member"])  # not a member of other_cell
    value = str(other_cell.pk) if cell_value == "other" else cell_value
    response = client.post(reverse("cells:switch"), {"cell": value, "next": "/"})
    assert response.status_code == 404
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/incidents/new/", "/incidents/new/"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_switch_only_redirects_to_a_safe_url(client, member_of_two_cells, other_cell, next_url, expected):
    client.force_login(member_of_two_cells)
    response = client.post(reverse("cells:switch"), {"cell": other_cell.pk, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected


def test_switch_needs_post_and_login(client, users, cell):
    assert client.post(reverse("cells:switch"), {"cell": cell.pk}).status_code == 302  # to the login page
    client.force_login(users["member"])
    assert client.get(reverse("cells:switch")).status_code == 405


def test_switcher_lists_only_own_cells(client, member_of_two_cells, cell, other_cell):
    client.force_login(member_of_two_cells)
    content = client.get(reverse("incidents:list")).content.decode()
    assert f'<option value="{cell.pk}" selected>' in content
    assert f'<option value="{other_cell.pk}"' in content
    client.force_login(UserFactory(username="solo"))
    assert 'id="cell-select"' not in client.get(reverse("incidents:list")).content.decode()


# --- Members page ------------------------------------------------------------------


def test_members_page_for_a_non_admin_is_read_only(as_user, cell, users):
    response = as_user("observer").get(members_url(cell))
    content = response.content.decode()
    assert response.status_code == 200
    assert all(user.username in content for key, user in users.items() if key != "outsider")
    assert users["outsider"].username not in content
    assert "Add a member" not in content
    assert 'name="remove"' not in content
    assert "Only an administrator of the cell can change its members." in content


def test_members_page_for_an_admin_has_the_forms(as_user, cell):
    content = as_user("admin").get(members_url(cell)).content.decode()
    assert "Add a member" in content
    assert 'name="remove"' in content
    assert "data-confirm=" in content


def test_members_page_of_another_cell_is_a_404(as_user, other_cell):
    assert as_user("admin").get(members_url(other_cell)).status_code == 404
    assert as_user("admin").post(members_url(other_cell), {"username": "alice", "role": "admin"}).status_code == 404


def test_admin_adds_a_member(as_user, cell, db):
    newcomer = UserFactory(username="nina")
    response = as_user("admin").post(members_url(cell), {"username": "nina", "role": "manager"})
    assert response.status_code == 302
    assert role_of(newcomer, cell) == Role.MANAGER


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nobody", "role": "member"}, "No active user is called “nobody”."),
        ({"username": "max", "role": "member"}, "is already a member of this cell."),
        ({"username": "", "role": "member"}, "This field is required."),
        ({"username": "oscar", "role": "emperor"}, "Select a valid choice"),
    ],
)
def test_admin_add_member_with_bad_input_is_a_400(as_user, cell, data, message):
    before = Membership.objects.filter(cell=cell).count()
    response = as_user("admin").post(members_url(cell), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Membership.objects.filter(cell=cell).count() == before


def test_admin_changes_a_role(as_user, cell, users):
    membership = Membership.objects.get(cell=cell, user=users["member"])
    response = as_user("admin").post(members_url(cell), {"membership": membership.pk, "role": "manager"})
    assert response.status_code == 302
    assert role_of(users["member"], cell) == Role.MANAGER


def test_admin_change_to_an_unknown_role_is_a_400(as_user, cell, users):
    membership = Membership.objects.get(cell=cell, user=users["member"])
    response = as_user("admin").post(members_url(cell), {"membership": membership.pk, "role": "emperor"})
    assert response.status_code == 400
    assert role_of(users["member"], cell) == Role.MEMBER


def test_admin_removes_a_member(as_user, cell, users):
    membership = Membership.objects.get(cell=cell, user=users["member2"])
    response = as_user("admin").post(members_url(cell), {"membership": membership.pk, "remove": "1"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_leave_or_step_down(as_user, cell, users):
    client = as_user("admin")
    own = Membership.objects.get(cell=cell, user=users["admin"])
    for data in ({"membership": own.pk, "remove": "1"}, {"membership": own.pk, "role": "member"}):
        response = client.post(members_url(cell), data)
        assert response.status_code == 400
        assert "A cell needs at least one administrator" in response.content.decode()
    assert role_of(users["admin"], cell) == Role.ADMIN


@pytest.mark.parametrize("value", ["not-a-number", "999999", "other-cell"])
def test_admin_actions_on_a_membership_outside_the_cell_are_a_404(as_user, cell, users, other_cell, value):
    if value == "other-cell":
        value = Membership.objects.get(cell=other_cell, user=users["outsider"]).pk
    response = as_user("admin").post(members_url(cell), {"membership": value, "remove": "1"})
    assert response.status_code == 404
    assert Membership.objects.filter(cell=other_cell).count() == 1


@pytest.mark.parametrize("key", ["manager", "member", "observer"])
def test_non_admins_cannot_change_members(as_user, cell, users, key):
    target = Membership.objects.get(cell=cell, user=users["member2"])
    client = as_user(key)
    requests = [
        {"username": "oscar", "role": "admin"},
        {"membership": target.pk, "role": "admin"},
        {"membership": target.pk, "remove": "1"},
    ]
    for data in requests:
        assert client.post(members_url(cell), data).status_code == 403
    assert role_of(users["member2"], cell) == Role.MEMBER
    assert not Membership.objects.filter(cell=cell, user=users["outsider"]).exists()


def test_hostile_names_are_escaped_on_the_members_page(as_user, cell, users):
    users["member"].first_name = "<script>alert(1)</script>"
    users["member"].save()
    content = as_user("admin").get(members_url(cell)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
