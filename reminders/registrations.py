"""What the reminders app plugs into the apps below it (called from RemindersConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents import log_kinds
from notifications import registry

from .models import Reminder, ReminderKind, ReminderLogKind, ReminderNotice


def _reminder_labels(data: dict) -> dict:
    kind = data.get("reminder_kind")
    return {"reminder_label": str(ReminderKind(kind).label) if kind in ReminderKind.values else kind or "?"}


def _reminder_urls(notifications) -> dict[int, str]:
    """Reminder notices name their reminder only: its targets, in one query for the whole page."""
    ids = {n.data["reminder"] for n in notifications if isinstance(n.data.get("reminder"), int)}
    if not ids:
        return {}
    reminders = {
        row["pk"]: row
        for row in Reminder.objects.filter(pk__in=ids).values(
            "pk", "kind", "incident_id", "statement_id", "version__statement_id", "claim_id"
        )
    }
    urls = {}
    for notification in notifications:
        reminder = reminders.get(notification.data.get("reminder"))
        if reminder is None:
            continue
        if reminder["kind"] == ReminderKind.CLAIM_UNANSWERED:
            urls[notification.pk] = reverse("facts:claim-detail", args=[reminder["incident_id"], reminder["claim_id"]])
        else:
            statement_id = reminder["statement_id"] or reminder["version__statement_id"]
            urls[notification.pk] = reverse("statements:detail", args=[reminder["incident_id"], statement_id])
    return urls


def register() -> None:
    log_kinds.register(
        ReminderLogKind.REMINDER,
        label=ReminderLogKind.REMINDER.label,
        panels=["statements", "claims", "log"],
        sentences={
            "sent": _("Reminder sent (#%(occurrence)s): %(reminder_label)s."),
            "escalated": _("Reminder escalated to every manager (#%(occurrence)s): %(reminder_label)s."),
            "snoozed": _("Reminder snoozed for %(minutes)s min: %(reminder_label)s."),
        },
        labels=_reminder_labels,
        # Written by the system: hidden with the automatic entries.
        automatic=True,
    )
    for kind in ReminderNotice:
        registry.register_kind(kind.value, kind.label)
    registry.register_wording(
        "reminder.statement_review",
        title=_("Holding statement due for review: %(title)s"),
        body=_(
            "The holding statement “%(title)s” (incident “%(incident)s”) was due for review at %(due)s. "
            "Publish an updated version, or adjust its review time."
        ),
    )
    registry.register_wording(
        "reminder.version_in_review",
        title=_("Waiting for approval: %(title)s v%(number)s"),
        body=_(
            "Version %(number)s of “%(title)s” (incident “%(incident)s”) has been waiting for approval since %(since)s."
        ),
    )
    registry.register_wording(
        "reminder.claim_unanswered",
        title=_("Claim circulating unanswered: %(text)s"),
        body=_("Since %(since)s this claim circulates about “%(incident)s” and nothing answers it yet: “%(text)s”."),
    )
    registry.register_link("reminder", _reminder_urls)
