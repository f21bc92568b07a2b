"""The cell hears of an escalation in the app too (the bell), not only by e-mail.

Connected to incidents.signals.escalated in NotificationsConfig.ready(): runs
inside the transition's transaction. incidents.tasks.notify_level_change sends
the e-mails (one per member, once per level change), so these rows are not e-mailed.
"""

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
        dedupe_key=f"level-change:{entry.pk}",
        email=False,
    )
