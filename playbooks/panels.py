"""What the checklist card of the incident workspace shows (the card and its live fragment)."""

from cells.models import Membership, Role

from . import schema, selectors, services


def checklist_panel(incident, membership: Membership) -> dict:
    groups = selectors.checklist(incident)
    done = sum(group.done for group in groups)
    total = sum(group.total for group in groups)
    return {
        "groups": groups,
        "tasks_done": done,
        "tasks_total": total,
        "tasks_percent": round(100 * done / total) if total else 0,
        "can_work": membership.has_role(services.WORK_ROLE),
        "can_manage": membership.has_role(services.MANAGE_ROLE),
        "playbook_levels": schema.PLAYBOOK_LEVELS,
        "is_member_role": membership.has_role(Role.MEMBER),
    }


def assignable_members(incident):
    """The cell's members who can hold a task (observers read only), by name."""
    return [
        m.user
        for m in Membership.objects.filter(cell_id=incident.cell_id, role__in=Role.at_least(Role.MEMBER))
        .select_related("user")
        .order_by("user__first_name", "user__username")
        if m.user.is_active
    ]


def activation_context(incident, membership: Membership, user) -> dict:
    """The incident's latest activation: who answered what and since when, who has not."""
    from .models import Acknowledgement, AckStatus, Activation

    latest = Activation.objects.filter(incident=incident).select_related("started_by").first()
    acks = (
        list(
            Acknowledgement.objects.filter(activation=latest)
            .select_related("user")
            .order_by("status", "user__username")
        )
        if latest
        else []
    )
    return {
        "activation": latest,
        "acks": acks,
        "acks_pending": [a for a in acks if a.status == AckStatus.PENDING],
        "acks_on_it": [a for a in acks if a.status == AckStatus.ON_IT],
        "acks_unavailable": [a for a in acks if a.status == AckStatus.UNAVAILABLE],
        "my_ack": next((a for a in acks if a.user_id == user.pk), None),
        "can_activate": membership.has_role(Role.MANAGER),
    }
