"""Who may see and change relays. The directory is personal data: members and above only
(an observer gets 403, a non-member 404, as everywhere else)."""

from django.http import Http404
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Membership, Role

from .models import DistributionList, Relay

READ = Role.MEMBER  # the directory, a relay's history, the briefings' tracking
WRITE = Role.MEMBER  # add and edit relays and lists, mark a briefing relayed
# Sending the cell's word outside, exporting or erasing a person: as publishing a statement.
MANAGE = Role.MANAGER


def cell_membership(user, cell_id, minimum: Role = READ) -> Membership:
    return require_role(membership_for(user, cell_id), minimum)


def get_relay_for_user(user, cell_id, relay_id, minimum: Role = READ) -> tuple[Relay, Membership]:
    membership = cell_membership(user, cell_id, minimum)
    try:
        relay = Relay.objects.get(cell_id=membership.cell_id, pk=int(relay_id))
    except (Relay.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such relay in this cell.")) from None
    return relay, membership


def get_list_for_user(user, cell_id, list_id, minimum: Role = READ) -> tuple[DistributionList, Membership]:
    membership = cell_membership(user, cell_id, minimum)
    try:
        found = DistributionList.objects.get(cell_id=membership.cell_id, pk=int(list_id))
    except (DistributionList.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such distribution list in this cell.")) from None
    return found, membership
