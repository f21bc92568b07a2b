"""Writes on cells and memberships. Views and API call these, never the ORM directly."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Cell, Membership, Role


def _ensure_an_admin_remains(cell: Cell, *, leaving: Membership) -> None:
    # A cell without an admin could never get new members again.
    others = Membership.objects.filter(cell=cell, role=Role.ADMIN).exclude(pk=leaving.pk)
    if leaving.role == Role.ADMIN and not others.exists():
        raise ValidationError({"role": _("A cell needs at least one administrator; appoint another one first.")})


@transaction.atomic
def membership_add(*, cell: Cell, user, role: Role) -> Membership:
    if Membership.objects.filter(cell=cell, user=user).exists():
        raise ValidationError({"user": _("%(user)s is already a member of this cell.") % {"user": user}})
    return Membership.objects.create(cell=cell, user=user, role=role)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: Role) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != Role.ADMIN:
        _ensure_an_admin_remains(membership.cell, leaving=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _ensure_an_admin_remains(membership.cell, leaving=membership)
    membership.delete()
