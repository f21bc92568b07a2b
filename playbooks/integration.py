"""Every touch point of playbooks with the apps below it, in one place.

Lower apps (incidents, statements, notifications, messaging) never import
playbooks: this module reads and calls them, and subscribes to what they publish.
When the shared registries land (log kinds, notification kinds, panels, reminder
targets), only this module changes.
"""

from django.db.models.signals import post_save

from incidents import crisislog
from incidents.models import LogCategory, LogEntry, LogKind
from messaging import events

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
    return log(incident=task.incident, kind=LogKind.TASK, actor=actor, action=action, text=text, task=task.pk, **data)


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
    from statements.services import statement_create

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


def cell_members(cell, roles=None):
    from notifications.services import cell_members as members

    return members(cell, roles)


def _notify(*, users, incident, kind, title: str, body: str, link: str, data: dict, dedupe_key="", occurrence=""):
    from django.conf import settings
    from django.utils import translation

    from notifications.services import notify

    # Worded in the cell's default language, as the stored texts of notifications are.
    with translation.override(settings.LANGUAGE_CODE):
        title, body = str(title), str(body)
    return notify(
        users=users,
        cell=incident.cell,
        incident=incident,
        kind=kind,
        title=title[:200],
        body=body,
        link=link,
        data=data,
        dedupe_key=dedupe_key,
        occurrence=occurrence,
    )


def notify_activation(activation, incident, members) -> None:
    from django.utils.translation import gettext_lazy as _

    from notifications.models import NotificationKind

    from .activation import ack_url

    _notify(
        users=members,
        incident=incident,
        kind=NotificationKind.ACTIVATION,
        title=_("The crisis cell is activated: %(incident)s") % {"incident": incident.title},
        body=(activation.message + "\n\n" if activation.message else "")
        + str(_("Say whether you are on it: open the link and answer “I'm on it” or “Unavailable”.")),
        link=ack_url(activation),
        data={"activation": activation.pk},
        dedupe_key=f"activation:{activation.pk}",
    )


def notify_ack_reminder(ack, incident, *, escalated: bool) -> None:
    from django.utils.translation import gettext_lazy as _

    from cells.models import Role
    from notifications.models import NotificationKind

    from .activation import ack_url

    name = ack.user.get_full_name() or ack.user.username
    occurrence = f"ack:{ack.pk}:{ack.misses}"
    _notify(
        users=[ack.user],
        incident=incident,
        kind=NotificationKind.ACTIVATION,
        title=_("The cell is activated and waits for your answer: %(incident)s") % {"incident": incident.title},
        body=_("Open the link and answer “I'm on it” or “Unavailable”."),
        link=ack_url(ack.activation),
        data={"activation": ack.activation_id, "ack": ack.pk, "occurrence": ack.misses},
        dedupe_key=f"ack:{ack.pk}",
        occurrence=occurrence,
    )
    if escalated:
        _notify(
            users=cell_members(incident.cell, Role.at_least(Role.MANAGER)),
            incident=incident,
            kind=NotificationKind.ESCALATION,
            title=_("%(name)s has not answered the activation: %(incident)s")
            % {"name": name, "incident": incident.title},
            body=_("Reminded %(count)s times without an answer. Call them, or count them out.") % {"count": ack.misses},
            link=ack_url(ack.activation),
            data={"activation": ack.activation_id, "ack": ack.pk, "occurrence": ack.misses},
            dedupe_key=f"ack-escalation:{ack.pk}",
            occurrence=occurrence,
        )


def notify_task_overdue(task, *, escalated: bool) -> list:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from cells.models import Role
    from notifications.models import NotificationKind

    incident = task.incident
    users = [task.assignee]
    if escalated:
        users += list(cell_members(incident.cell, Role.at_least(Role.MANAGER)))
    _notify(
        users=users,
        incident=incident,
        kind=NotificationKind.ESCALATION if escalated else NotificationKind.REMINDER,
        title=_("Task overdue: %(title)s") % {"title": task.title},
        body=_("“%(title)s” (incident “%(incident)s”, held by %(name)s) was due and is not done. Do it, or cancel it.")
        % {
            "title": task.title,
            "incident": incident.title,
            "name": task.assignee.get_full_name() or task.assignee.username,
        },
        link=reverse("incidents:detail", args=[incident.pk]) + f"#task-{task.pk}",
        data={"task": task.pk, "occurrence": task.remind_misses},
        dedupe_key=f"task:{task.pk}",
        occurrence=f"task:{task.pk}:{task.remind_generation}:{task.remind_misses}",
    )
    return users


def notify_digest(incident, by_user: dict, *, occurrence: int) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from notifications.models import NotificationKind

    people = get_user_model().objects.in_bulk(list(by_user))
    for user_id, tasks in by_user.items():
        lines = "\n".join(f"- {task.title}" for task in tasks)
        _notify(
            users=[people[user_id]],
            incident=incident,
            kind=NotificationKind.REMINDER,
            title=_("Your open tasks (%(count)s): %(incident)s") % {"count": len(tasks), "incident": incident.title},
            body=lines,
            link=reverse("playbooks:mine"),
            data={"digest": incident.pk, "occurrence": occurrence},
            dedupe_key=f"digest:{incident.pk}",
            occurrence=f"digest:{incident.pk}:{occurrence}",
        )


def notify_inject(inject, incident) -> None:
    """A scripted question from management, as the cell would receive it (marked as an exercise)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from notifications.models import NotificationKind

    _notify(
        users=cell_members(incident.cell),
        incident=incident,
        kind=NotificationKind.DRILL,
        title=_("Question from management: %(incident)s") % {"incident": incident.title},
        body=inject.text,
        link=reverse("incidents:detail", args=[incident.pk]),
        data={"inject": inject.pk},
        dedupe_key=f"inject:{inject.pk}",
    )


def _on_log_entry(sender, instance: LogEntry, created: bool, **kwargs):
    # Interim hook until incidents publish `level_changed`: the level-change entry is
    # written inside the transition's transaction, so what this creates commits (or
    # rolls back) with the move itself.
    if created and instance.kind == LogKind.LEVEL_CHANGED:
        from . import activation, services

        level = instance.data.get("to")
        services.level_reached(incident=instance.incident, level=level, actor=instance.actor)
        activation.level_reached(incident=instance.incident, level=level, actor=instance.actor)


def connect() -> None:
    post_save.connect(_on_log_entry, sender=LogEntry, dispatch_uid="playbooks.level_reached")
