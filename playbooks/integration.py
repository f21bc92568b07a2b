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


def _on_log_entry(sender, instance: LogEntry, created: bool, **kwargs):
    # Interim hook until incidents publish `level_changed`: the level-change entry is
    # written inside the transition's transaction, so what this creates commits (or
    # rolls back) with the move itself.
    if created and instance.kind == LogKind.LEVEL_CHANGED:
        from . import services

        services.level_reached(incident=instance.incident, level=instance.data.get("to"), actor=instance.actor)


def connect() -> None:
    post_save.connect(_on_log_entry, sender=LogEntry, dispatch_uid="playbooks.level_reached")
