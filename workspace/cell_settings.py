"""A cell's communication settings: the four-eyes rule on facts (facts) and the review cadence (reminders),
read and changed together: a page that gathers two apps, so the workspace's."""

from dataclasses import dataclass

from django.db import transaction

from cells.access import membership_for, require_role
from cells.models import Cell, Role
from facts.models import FactPolicy
from facts.services import fact_policy
from reminders.cadence import CADENCE_FIELDS, cadence_for
from reminders.models import ReviewCadence

POLICY_FIELDS = ("verifier_must_differ",)


@dataclass
class CommsSettings:
    policy: FactPolicy
    cadence: ReviewCadence

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self.policy, name) for name in POLICY_FIELDS},
            **{name: getattr(self.cadence, name) for name in CADENCE_FIELDS},
        }


def comms_settings(cell: Cell) -> CommsSettings:
    """The stored settings, or the defaults for a cell that never changed them."""
    return CommsSettings(policy=fact_policy(cell), cadence=cadence_for(cell))


@transaction.atomic
def comms_settings_update(*, actor, cell: Cell, **changes) -> CommsSettings:
    """Cell admins only. New timings apply from the next publication, submission or level change."""
    require_role(membership_for(actor, cell.pk), Role.ADMIN)
    policy, _ = FactPolicy.objects.select_for_update().get_or_create(cell=cell)
    cadence, _ = ReviewCadence.objects.select_for_update().get_or_create(cell=cell)
    for row, fields in ((policy, POLICY_FIELDS), (cadence, CADENCE_FIELDS)):
        changed = [name for name in fields if name in changes]
        for name in changed:
            setattr(row, name, changes[name])
        if changed:
            row.full_clean(exclude=["cell"])
            row.save(update_fields=changed)
    return CommsSettings(policy=policy, cadence=cadence)
