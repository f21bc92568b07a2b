"""Membership services and the role ladder: a cell always keeps an administrator."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cells import access, services
from cells.models import Membership, Role

from ..factories import MembershipFactory, UserFactory
from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def roles(cell) -> dict[str, str]:
    return dict(Membership.objects.filter(cell=cell).values_list("user__username", "role"))


def test_role_ladder():
    assert [r.value for r in Role] == ["observer", "member", "manager", "admin"]
    assert Role.ADMIN.includes(Role.MANAGER) and Role.MANAGER.includes(Role.MEMBER)
    assert Role.MEMBER.includes(Role.MEMBER)
    assert not Role.OBSERVER.includes(Role.MEMBER)
    assert Role.at_least(Role.MANAGER) == [Role.MANAGER, Role.ADMIN]


def test_add_member(cell, users):
    newcomer = UserFactory(username="nina")
    membership = services.membership_add(cell=cell, user=newcomer, role=Role.OBSERVER)
    assert (membership.cell, membership.user, membership.role) == (cell, newcomer, "observer")


def test_a_user_may_belong_to_several_cells_with_different_roles(cell, other_cell, users):
    services.membership_add(cell=other_cell, user=users["observer"], role=Role.MANAGER)
    assert access.membership_for(users["observer"], cell.pk).role == Role.OBSERVER
    assert access.membership_for(users["observer"], other_cell.pk).role == Role.MANAGER


def test_add_twice_is_refused(cell, users):
    before = roles(cell)
    with pytest.raises(ValidationError) as refused:
        services.membership_add(cell=cell, user=users["member"], role=Role.ADMIN)
    assert "user" in refused.value.message_dict
    assert roles(cell) == before


def test_add_with_unknown_role_is_refused(cell):
    before = roles(cell)
    with pytest.raises(ValidationError) as refused:
        services.membership_add(cell=cell, user=UserFactory(username="nina"), role="overlord")
    assert "role" in refused.value.message_dict
    assert roles(cell) == before


def test_add_inactive_user_is_refused(cell):
    sleeper = UserFactory(username="sleeper", is_active=False)
    with pytest.raises(ValidationError):
        services.membership_add(cell=cell, user=sleeper, role=Role.MEMBER)
    assert "sleeper" not in roles(cell)


def test_change_role(cell, users):
    membership = Membership.objects.get(cell=cell, user=users["member"])
    assert services.membership_change_role(membership=membership, role=Role.MANAGER).role == Role.MANAGER
    assert roles(cell)["max"] == "manager"


def test_change_to_unknown_role_is_refused(cell, users):
    membership = Membership.objects.get(cell=cell, user=users["member"])
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=membership, role="overlord")
    assert roles(cell)["max"] == "member"


def test_the_last_admin_cannot_be_demoted(cell, users):
    only_admin = Membership.objects.get(cell=cell, user=users["admin"])
    before = roles(cell)
    with pytest.raises(ValidationError) as refused:
        services.membership_change_role(membership=only_admin, role=Role.MANAGER)
    assert "role" in refused.value.message_dict
    assert roles(cell) == before


def test_the_last_admin_cannot_be_removed(cell, users):
    only_admin = Membership.objects.get(cell=cell, user=users["admin"])
    before = roles(cell)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=only_admin)
    assert roles(cell) == before


def test_an_admin_can_step_down_when_another_remains(cell, users):
    MembershipFactory(cell=cell, user=UserFactory(username="adele"), role=Role.ADMIN)
    alice = Membership.objects.get(cell=cell, user=users["admin"])
    services.membership_change_role(membership=alice, role=Role.MEMBER)
    assert roles(cell)["alice"] == "member"
    adele = Membership.objects.get(cell=cell, user__username="adele")
    with pytest.raises(ValidationError):
        services.membership_remove(membership=adele)


def test_an_admin_can_leave_when_another_remains(cell, users):
    MembershipFactory(cell=cell, user=UserFactory(username="adele"), role=Role.ADMIN)
    services.membership_remove(membership=Membership.objects.get(cell=cell, user=users["admin"]))
    assert "alice" not in roles(cell)


def test_remove_member(cell, users):
    services.membership_remove(membership=Membership.objects.get(cell=cell, user=users["member2"]))
    assert "mia" not in roles(cell)


def test_other_cells_admins_do_not_count(cell, other_cell, users):
    # Oscar is the admin of other_cell; alice is still the last admin of cell.
    with pytest.raises(ValidationError):
        services.membership_remove(membership=Membership.objects.get(cell=cell, user=users["admin"]))


# --- access ---------------------------------------------------------------------------------


def test_get_cell_for_user(cell, users):
    assert access.get_cell_for_user(users["observer"], cell.pk) == cell
    with pytest.raises(PermissionDenied):
        access.get_cell_for_user(users["manager"], cell.pk, Role.ADMIN)
    with pytest.raises(Http404):
        access.get_cell_for_user(users["outsider"], cell.pk)


def test_cells_for_user_and_ids_with_role(cell, other_cell, users):
    assert list(access.cells_for_user(users["member"])) == [cell]
    assert access.cell_ids_with_role(users["member"], Role.MANAGER) == []
    assert access.cell_ids_with_role(users["manager"], Role.MANAGER) == [cell.pk]
    assert list(access.cells_for_user(users["outsider"])) == [other_cell]


@pytest.mark.parametrize("cell_id", ["abc", None, "1.5", ""])
def test_membership_for_a_non_id_is_none(users, cell_id):
    assert access.membership_for(users["admin"], cell_id) is None
