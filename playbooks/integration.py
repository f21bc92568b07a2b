"""Every touch point of playbooks with the apps below it, in one place.

Lower apps (incidents, statements, notifications, messaging) never import
playbooks: this module reads and calls them, and subscribes to what they publish.
What playbooks plugs into their registries (log kinds, notification kinds and
wordings) is in playbooks.registrations.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from cells.models import Role
from incidents import crisislog, events
from incidents.models import LogCategory, LogEntry
from incidents.signals import level_changed
from notifications import services as notifications
from reminders.models import ReminderNotice
from statements.services import statement_create

from .models import PlaybookLogKind, PlaybookNotice

# The workspace panels a task change refreshes (the checklist, and the log when logged).
TASK_PANELS = ["tasks"]


def log(*, incident, kind: str, actor, action: str, text: str = "", **data) -> LogEntry:
    """A crisis-log entry of this app (its live event refreshes the panels of its kind)."""
    return crisislog.append_entry(
        incident=incident,
        kind=kind,
        actor=actor,
        text=text,
        category=LogCategory.ACTION,
        data={"action": action, **data},
    )


def log_task(task, actor, action: str, text: str = "", **data) -> LogEntry:
    return log(
        incident=task.incident, kind=PlaybookLogKind.TASK, actor=actor, action=action, text=text, task=task.pk, **data
    )


def task_changed(task, actor, action: str) -> None:
    """A change the crisis log does not keep (taken, edited): the open pages still hear of it."""
    events.record(
        incident_id=task.incident_id,
        type=f"task.{action}",
        object_id=task.pk,
        data={"panels": TASK_PANELS, "task": task.pk, "status": task.status},
        actor=actor,
    )


def create_draft(*, actor, incident, draft: dict):
    """A pre-drafted statement of the playbook, as a draft of the statements workflow:
    it needs a manager's approval like any other text (nothing is published unreviewed)."""
    return statement_create(
        actor=actor,
        incident=incident,
        kind=draft["kind"],
        audience=draft["audience"],
        language=draft.get("language") or "fr",
        title=draft["title"],
        text=draft["text"],
    )


# --- Notifications (in the app, and e-mailed by the notifications outbox) ------------------------
# Each is worded when it is read, in the reader's language (the wordings are registered in
# playbooks.registrations); the stored title and body are the default language's.


def cell_members(cell, roles=None):
    return notifications.cell_members(cell, roles)


def notify(*, users, incident, kind: str, wording: str, params: dict, link: str, data: dict, **keys):
    return notifications.notify(
        users=users,
        cell=incident.cell,
        incident=incident,
        kind=kind,
        wording=wording,
        params=params,
        link=link,
        data=data,
        **keys,
    )


def _name(user) -> str:
    return user.get_full_name() or user.username


def notify_activation(activation, incident, members) -> None:
    from .activation import ack_url

    notify(
        users=members,
        incident=incident,
        kind=PlaybookNotice.ACTIVATION,
        wording="playbooks.activation",
        params={"incident": incident.title, "message": activation.message},
        link=ack_url(activation),
        data={"activation": activation.pk},
        dedupe_key=f"activation:{activation.pk}",
    )


def notify_ack_reminder(ack, incident, *, escalated: bool) -> None:
    from .activation import ack_url

    occurrence = f"ack:{ack.pk}:{ack.misses}"
    notify(
        users=[ack.user],
        incident=incident,
        kind=PlaybookNotice.ACTIVATION,
        wording="playbooks.ack_reminder",
        params={"incident": incident.title},
        link=ack_url(ack.activation),
        data={"activation": ack.activation_id, "ack": ack.pk, "occurrence": ack.misses},
        dedupe_key=f"ack:{ack.pk}",
        occurrence=occurrence,
    )
    if escalated:
        notify(
            users=cell_members(incident.cell, Role.at_least(Role.MANAGER)),
            incident=incident,
            kind=ReminderNotice.ESCALATION,
            wording="playbooks.ack_escalation",
            params={"incident": incident.title, "name": _name(ack.user), "count": ack.misses},
            link=ack_url(ack.activation),
            data={"activation": ack.activation_id, "ack": ack.pk, "occurrence": ack.misses},
            dedupe_key=f"ack-escalation:{ack.pk}",
            occurrence=occurrence,
        )


def notify_task_overdue(task, *, escalated: bool) -> list:
    incident = task.incident
    users = [task.assignee]
    if escalated:
        users += list(cell_members(incident.cell, Role.at_least(Role.MANAGER)))
    notify(
        users=users,
        incident=incident,
        kind=ReminderNotice.ESCALATION if escalated else ReminderNotice.REMINDER,
        wording="playbooks.task_overdue",
        params={"title": task.title, "incident": incident.title, "name": _name(task.assignee)},
        link=reverse("incidents:detail", args=[incident.pk]) + f"#task-{task.pk}",
        data={"task": task.pk, "occurrence": task.remind_misses},
        dedupe_key=f"task:{task.pk}",
        occurrence=f"task:{task.pk}:{task.remind_generation}:{task.remind_misses}",
    )
    return users


def notify_digest(incident, by_user: dict, *, occurrence: int) -> None:
    people = get_user_model().objects.in_bulk(list(by_user))
    for user_id, tasks in by_user.items():
        notify(
            users=[people[user_id]],
            incident=incident,
            kind=ReminderNotice.REMINDER,
            wording="playbooks.digest",
            params={"incident": incident.title, "count": len(tasks), "tasks": [task.title for task in tasks]},
            link=reverse("playbooks:mine"),
            data={"digest": incident.pk, "occurrence": occurrence},
            dedupe_key=f"digest:{incident.pk}",
            occurrence=f"digest:{incident.pk}:{occurrence}",
        )


def on_level_changed(sender, *, incident, actor, to_level, **kwargs) -> None:
    """incidents.signals.level_changed, sent inside the transition's transaction: what this
    creates (the level's tasks and drafts, the activation) commits or rolls back with the move."""
    from . import activation, services

    services.level_reached(incident=incident, level=to_level, actor=actor)
    activation.level_reached(incident=incident, level=to_level, actor=actor)


def connect() -> None:
    level_changed.connect(on_level_changed, dispatch_uid="playbooks.level_reached")
