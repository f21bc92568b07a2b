"""Fetch-and-authorise for cells: the one place that decides who may do what.

A user who is not a member of a cell gets a 404 for anything in it (we do not
confirm that the object exists); a member whose role is too weak gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Cell, Membership, Role


def membership_for(user, cell_id) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        cell_id = int(cell_id)
    except (TypeError, ValueError):
        return None  # not an id at all: no such cell (404), rather than a crash
    return Membership.objects.select_related("cell").filter(user=user, cell_id=cell_id).first()


def require_role(membership: Membership | None, minimum: Role) -> Membership:
    if membership is None:
        raise Http404(_("No such cell."))
    if not membership.has_role(minimum):
        raise PermissionDenied(
            _("This needs the %(role)s role in %(cell)s; you are %(yours)s.")
            % {"role": Role(minimum).label, "cell": membership.cell.name, "yours": Role(membership.role).label}
        )
    return membership


def get_cell_for_user(user, cell_id, minimum: Role = Role.OBSERVER) -> Cell:
    membership = require_role(membership_for(user, cell_id), minimum)
    return membership.cell


def cells_for_user(user):
    if not user.is_authenticated:
        return Cell.objects.none()
    return Cell.objects.filter(memberships__user=user)


def cell_ids_with_role(user, minimum: Role = Role.OBSERVER) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user, role__in=Role.at_least(minimum)).values_list("cell_id", flat=True))
