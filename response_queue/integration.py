"""Every touch point of the response queue with the other apps, in one module.

responses sits above incidents, statements, facts, monitoring, notifications and
messaging: it calls their public pieces; none of them imports responses. It registers
its crisis-log kind and notification wordings in the registries (connect()).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from incidents import crisislog
from incidents.models import Incident, LogCategory

# The crisis-log kind of queue actions (registered in incidents.log_kinds by connect()).
LOG_KIND = "response"
# Open incidents, most urgent level first: where a mention matched by a rule goes.
LEVEL_URGENCY = {"crisis": 0, "alert": 1, "recovery": 2, "watch": 3}

# data["action"] -> the sentence the crisis log shows (placeholders from the entry's data).
SENTENCES = {
    "flagged": gettext_lazy("Mention #%(mention)s put in the response queue by hand (item #%(item)s)."),
    "queued_by_rules": gettext_lazy("%(count)s mentions entered the response queue by the cell's rules."),
    "queued_from_waiting": gettext_lazy(
        "%(count)s mentions matched by the cell's rules before this incident opened entered its response queue."
    ),
    "claimed": gettext_lazy("Queue item #%(item)s claimed."),
    "assigned": gettext_lazy("Queue item #%(item)s assigned."),
    "answered": gettext_lazy("Queue item #%(item)s answered."),
    "no_reply": gettext_lazy("Queue item #%(item)s closed: no reply needed."),
    "escalated": gettext_lazy("Queue item #%(item)s escalated to the managers."),
    "duplicates": gettext_lazy("Copies of queue item #%(item)s marked."),
    "overdue_reminder": gettext_lazy("Queue item #%(item)s is overdue: reminder %(stage)s sent."),
    "claim_linked": gettext_lazy("Mention #%(mention)s linked to claim #%(claim)s."),
    "claim_unlinked": gettext_lazy("Mention #%(mention)s unlinked from claim #%(claim)s."),
}

WORDINGS = {
    "response.overdue": (
        gettext_lazy("Overdue answer: %(text)s"),
        gettext_lazy(
            "A mention in the response queue of “%(incident)s” was due for an answer at %(due)s: “%(text)s”. "
            "Answer it, or close it with a reason."
        ),
    ),
    "response.escalated": (
        gettext_lazy("Escalated from the response queue: %(text)s"),
        gettext_lazy("%(name)s escalated a mention of “%(incident)s”: “%(text)s”. Reason: %(reason)s"),
    ),
}


def connect() -> None:
    """Called once from ResponseQueueConfig.ready(): the queue's crisis-log kind and notification wordings,
    in the registries of incidents and notifications (README: How to plug in a new app)."""
    from incidents import log_kinds
    from notifications import registry

    # A queue action refreshes the queue's live parts (and the crisis log, as every entry does).
    log_kinds.register(LOG_KIND, label=gettext_lazy("Response queue"), panels=["queue", "log"], sentences=SENTENCES)
    for key, (title, body) in WORDINGS.items():
        registry.register_wording(key, title=title, body=body)
    # The mention lists of monitoring show whether and by whom each mention was answered.
    from monitoring import selectors as monitoring_selectors

    monitoring_selectors.register_mention_prefetch(answered_prefetch)
    # The incident workspace's queue panel (README: How to plug in a panel): backlog, time to first
    # response, share within the SLA, the most urgent items; refreshed by the "queue" panels that
    # every queue action's crisis-log entry names (LOG_KIND above).
    from incidents import workspace

    from .panels import workspace_context

    workspace.register_panel(
        "queue",
        slot="side",
        order=25,
        template="responses/_workspace_panel_section.html",
        context=workspace_context,
        title=gettext_lazy("Response queue"),
        nav=95,
        live=["queue"],
    )


def answered_prefetch() -> list:
    """For monitoring's mention lists: each mention's answers from the queue, as `answered_in_queue`."""
    from django.db.models import Prefetch

    from .models import ItemState, QueueItem

    answered = QueueItem.objects.filter(state=ItemState.ANSWERED).select_related("done_by").order_by("done_at", "pk")
    return [Prefetch("queue_items", queryset=answered, to_attr="answered_in_queue")]


def log(*, incident: Incident, actor, action: str, text: str = "", **data) -> None:
    crisislog.append_entry(
        incident=incident,
        kind=LOG_KIND,
        actor=actor,
        text=text[:5000],
        category=LogCategory.COMMUNICATION,
        data={"action": action, **data},
    )


def mention_model():
    from monitoring.models import Mention

    return Mention


def mentions_of_cell(cell_id: int, *, exercise: bool = False):
    """The cell's real mentions, or (`exercise`) only its drills' synthetic ones: the two never mix,
    so a drill's posts never reach a real queue, its figures or its claims, and the other way round."""
    from monitoring.models import exercise_mentions

    rows = mention_model().objects.filter(cell_id=cell_id)
    return rows.filter(exercise_mentions()) if exercise else rows.exclude(exercise_mentions())


def mentions_for(incident):
    """The mentions an incident's queue and claims may take: real ones, or a drill's for a drill."""
    return mentions_of_cell(incident.cell_id, exercise=incident.is_exercise)


def open_incidents(cell_id: int):
    return Incident.objects.filter(cell_id=cell_id).exclude(level="closed")


def most_urgent_open_incident(cell_id: int) -> Incident | None:
    """Where the rules put the cell's new (real) mentions: never a drill, however urgent it plays."""
    incidents = list(open_incidents(cell_id).filter(is_exercise=False).only("pk", "level", "updated_at", "cell_id"))
    if not incidents:
        return None
    return min(incidents, key=lambda i: (LEVEL_URGENCY.get(i.level, 9), -i.updated_at.timestamp(), -i.pk))


def template_problem(version, incident) -> str:
    """Why this statement version cannot answer the public, or "" when it can."""
    from django.utils.translation import gettext as _

    from statements.models import StatementKind, VersionStatus

    statement = version.statement
    if statement.incident_id != incident.pk:
        return _("This template belongs to another incident.")
    if statement.kind != StatementKind.RESPONSE_TEMPLATE:
        return _("Only a response template can be used to answer.")
    if statement.needs_review:
        return _("This template needs review (a fact it cites was refuted): it cannot be used until approved again.")
    if version.status != VersionStatus.PUBLISHED:
        return _("Only the approved and published version of a template can be used; this one is %(status)s.") % {
            "status": version.get_status_display()
        }
    return ""


def usable_templates(incident):
    """Published response templates of the incident that do not need review."""
    from statements.models import StatementKind, StatementVersion, VersionStatus

    return (
        StatementVersion.objects.filter(
            statement__incident=incident,
            statement__kind=StatementKind.RESPONSE_TEMPLATE,
            statement__needs_review=False,
            status=VersionStatus.PUBLISHED,
        )
        .select_related("statement")
        .order_by("statement__title")
    )


def template_version(incident, version_id):
    from statements.models import StatementVersion

    return (
        StatementVersion.objects.select_related("statement").filter(statement__incident=incident, pk=version_id).first()
    )


def notify(**kwargs):
    from notifications.services import notify as notify_

    return notify_(**kwargs)


def managers_of(cell):
    from cells.models import Role
    from notifications.services import cell_members

    return cell_members(cell, roles=[Role.MANAGER, Role.ADMIN])


def item_url(item) -> str:
    return reverse("responses:item", args=[item.incident_id, item.pk])


# --- Claims (the facts app's register): rumours tied to mentions


def claim_of_incident(incident, claim_id):
    from facts.models import Claim

    return Claim.objects.filter(incident=incident, pk=claim_id).first()


def claim_is_debunked(claim) -> bool:
    from facts.models import ClaimStatus

    return claim.status == ClaimStatus.DEBUNKED


def templates_answering(claim):
    """Usable response templates that answer this claim (the statements' "answers" link)."""
    return usable_templates(claim.incident).filter(statement__answers=claim)
