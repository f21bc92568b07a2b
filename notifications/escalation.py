"""The cell hears of an escalation: a notice in every member's bell, and one e-mail per address.

Connected to incidents.signals.escalated in NotificationsConfig.ready(): runs inside the
transition's transaction. The rows are the outbox like every other notice (dedupe key
`level-change:<entry>`); notifications.tasks.notify_level_change e-mails them after commit,
one per address, once per level change, and records it in the crisis log.
"""

from django.db import transaction
from django.urls import reverse

from .models import NotificationKind
from .services import cell_members, notify


def tell_the_cell(sender, *, incident, entry, actor, **kwargs) -> None:
    data = entry.data or {}
    notify(
        users=[user for user in cell_members(incident.cell) if user != actor],
        cell=incident.cell,
        incident=incident,
        kind=NotificationKind.LEVEL,
        wording="incident.escalated",
        params={
            "name": str(actor) if actor else "CrisisCell",
            "incident": incident.title,
            "level": data.get("to", incident.level),
            "from_level": data.get("from", ""),
            "reason": entry.text,
            "at": entry.created_at.isoformat(),
        },
        link=reverse("incidents:detail", args=[incident.pk]),
        data={"entry": entry.pk},
        dedupe_key=dedupe_key(entry.pk),
        # E-mailed by notify_level_change: one mail per address, and the crisis log says so.
        email=False,
    )
    from .tasks import notify_level_change

    transaction.on_commit(lambda: notify_level_change.delay(entry.pk))


def dedupe_key(entry_id: int) -> str:
    return f"level-change:{entry_id}"
