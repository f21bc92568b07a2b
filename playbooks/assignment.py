"""Who gets a playbook task: the person it names, else someone with its role.

When several members have the role, the one on call now (the cell's rota) goes
first; failing that, the incident's owner if they have it; otherwise the first
by name, so that the choice is the same on every run.
"""

from django.utils import timezone

from cells.models import Membership

from .models import RotaSlot


def on_call(cell_id: int, at=None) -> list[int]:
    """Ids of the users on call for the cell at `at` (now), earliest slot first."""
    at = at or timezone.now()
    return list(
        RotaSlot.objects.filter(cell_id=cell_id, starts_at__lte=at, ends_at__gt=at)
        .order_by("starts_at", "id")
        .values_list("user_id", flat=True)
    )


class Picker:
    """Reads the cell's members and rota once, then picks for every task of a level."""

    def __init__(self, incident, at=None):
        rows = Membership.objects.filter(cell_id=incident.cell_id, user__is_active=True).select_related("user")
        self.members = sorted(rows, key=lambda m: m.user.username)
        self.by_username = {m.user.username: m.user for m in self.members}
        self.on_call = on_call(incident.cell_id, at)
        self.owner_id = incident.owner_id

    def pick(self, task: dict):
        if task.get("assignee"):
            return self.by_username.get(task["assignee"])
        role = task.get("role")
        if not role:
            return None
        candidates = [m.user for m in self.members if m.role == role]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        ids = {user.pk: user for user in candidates}
        for user_id in self.on_call:
            if user_id in ids:
                return ids[user_id]
        return ids.get(self.owner_id) or candidates[0]
