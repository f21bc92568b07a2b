"""Writes on cells and memberships. Views and API call these, never the ORM directly.

The callers authorise (only a cell admin manages members: cells.access); these
functions keep the cell consistent whoever calls them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from realtime import broadcast

from .models import Cell, Membership, Role


def _lock_cell(cell_id: int) -> Cell:
    # Membership changes of one cell queue on the cell's row: two admins who
    # demote each other at the same moment cannot both see the other as the
    # admin that remains.
    return Cell.objects.select_for_update().get(pk=cell_id)


def _check_role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationError({"role": _("“%(role)s” is not a role.") % {"role": role}})
    return Role(role)


def _ensure_an_admin_remains(cell: Cell, *, leaving: Membership) -> None:
    # A cell without an admin could never get new members again.
    others = Membership.objects.filter(cell=cell, role=Role.ADMIN).exclude(pk=leaving.pk)
    if leaving.role == Role.ADMIN and not others.exists():
        raise ValidationError({"role": _("A cell needs at least one administrator; appoint another one first.")})


@transaction.atomic
def membership_add(*, cell: Cell, user: User, role: str) -> Membership:
    role = _check_role(role)
    cell = _lock_cell(cell.pk)
    if not user.is_active:
        raise ValidationError({"user": _("%(user)s cannot log in any more.") % {"user": user}})
    if Membership.objects.filter(cell=cell, user=user).exists():
        raise ValidationError({"user": _("%(user)s is already a member of this cell.") % {"user": user}})
    membership = Membership.objects.create(cell=cell, user=user, role=role)
    broadcast.role_changed(user_id=user.pk, cell_id=cell.pk, role=role.value)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    role = _check_role(role)
    _lock_cell(membership.cell_id)
    membership = Membership.objects.select_related("cell", "user").get(pk=membership.pk)
    if role != Role.ADMIN:
        _ensure_an_admin_remains(membership.cell, leaving=membership)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        # Their open pages show the controls of the new role at once (after commit).
        broadcast.role_changed(user_id=membership.user_id, cell_id=membership.cell_id, role=role.value)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _lock_cell(membership.cell_id)
    membership = Membership.objects.select_related("cell").get(pk=membership.pk)
    _ensure_an_admin_remains(membership.cell, leaving=membership)
    membership.delete()
    # Their open pages of the cell's incidents stop receiving at once.
    broadcast.membership_ended(user_id=membership.user_id, cell_id=membership.cell_id)
