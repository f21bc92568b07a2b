"""What the playbooks app plugs into the apps below it (called from PlaybooksConfig.ready):
its crisis-log kinds and their sentences, its notification kind and the wordings of its notices."""

from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents import log_kinds, workspace
from incidents.models import Level
from notifications import registry

from .models import PlaybookLogKind, PlaybookNotice
from .panels import activation_context, assignable_members, checklist_panel


def _applied_labels(data: dict) -> dict:
    level = data.get("level")
    return {
        "level_label": str(Level(level).label) if level in Level.values else level or "?",
        "drafts": len(data.get("statements") or []),
    }


def _activation_body(values: dict) -> str:
    # The manager's message (as typed) first, then what to do, in the reader's language.
    message = str(values.get("message") or "")
    ask = gettext("Say whether you are on it: open the link and answer “I'm on it” or “Unavailable”.")
    return f"{message}\n\n{ask}" if message else ask


def _digest_body(values: dict) -> str:
    return "\n".join(f"- {title}" for title in values.get("tasks") or [])


def _activation_card(request, incident, membership, page: dict) -> str:
    context = {**activation_context(incident, membership, request.user), "incident": incident, "membership": membership}
    return render_to_string("playbooks/_activation_card.html", context, request=request)


def _tasks_card(request, incident, membership, page: dict) -> str:
    card = checklist_panel(incident, membership)
    members = assignable_members(incident) if card["can_work"] else []
    context = {**card, "incident": incident, "membership": membership, "members": members}
    return render_to_string("playbooks/_tasks_card.html", context, request=request)


def register() -> None:
    log_kinds.register(
        PlaybookLogKind.TASK,
        label=PlaybookLogKind.TASK.label,
        panels=["tasks", "log"],
        sentences={
            "added": _("Task #%(task)s added."),
            "done": _("Task #%(task)s done."),
            "cancelled": _("Task #%(task)s cancelled."),
            "reopened": _("Task #%(task)s reopened."),
            "reminded": _("Task #%(task)s is overdue: reminder #%(occurrence)s sent."),
            "escalated": _("Task #%(task)s is overdue: the managers were told (#%(occurrence)s)."),
        },
    )
    log_kinds.register(
        PlaybookLogKind.PLAYBOOK,
        label=PlaybookLogKind.PLAYBOOK.label,
        panels=["tasks", "statements", "log"],
        sentences={
            "applied": _(
                "Playbook v%(version)s, level %(level_label)s: %(tasks)s task(s) and %(drafts)s draft "
                "statement(s) created."
            ),
        },
        labels=_applied_labels,
    )
    log_kinds.register(PlaybookLogKind.ACTIVATION, label=PlaybookLogKind.ACTIVATION.label, panels=["activation", "log"])

    registry.register_kind(PlaybookNotice.ACTIVATION.value, PlaybookNotice.ACTIVATION.label)
    registry.register_wording(
        "playbooks.activation",
        title=_("The crisis cell is activated: %(incident)s"),
        body=_activation_body,
    )
    registry.register_wording(
        "playbooks.ack_reminder",
        title=_("The cell is activated and waits for your answer: %(incident)s"),
        body=_("Open the link and answer “I'm on it” or “Unavailable”."),
    )
    registry.register_wording(
        "playbooks.ack_escalation",
        title=_("%(name)s has not answered the activation: %(incident)s"),
        body=_("Reminded %(count)s times without an answer. Call them, or count them out."),
    )
    registry.register_wording(
        "playbooks.task_overdue",
        title=_("Task overdue: %(title)s"),
        body=_("“%(title)s” (incident “%(incident)s”, held by %(name)s) was due and is not done. Do it, or cancel it."),
    )
    registry.register_wording(
        "playbooks.digest",
        title=_("Your open tasks (%(count)s): %(incident)s"),
        body=_digest_body,
    )

    # The activation card and the checklist, under the level in the workspace.
    workspace.register_panel(
        "activation", slot="flow", order=40, render=_activation_card, title=_("Activation"), nav=30
    )
    workspace.register_panel("tasks", slot="flow", order=50, render=_tasks_card, title=_("Checklist"), nav=40)
