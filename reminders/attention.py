"""Overdue reminders as part of "what needs attention" (incidents.attention): registered in RemindersConfig.ready()."""

from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incidents.attention import Concern, count_per_incident, register

from .models import Reminder, ReminderKind, ReminderStatus


def _overdue():
    return Reminder.objects.filter(status=ReminderStatus.ACTIVE, next_due_at__lte=Now())


def _link(reminder: Reminder) -> str:
    if reminder.kind == ReminderKind.CLAIM_UNANSWERED:
        return reverse("facts:claim-detail", args=[reminder.incident_id, reminder.claim_id])
    statement_id = reminder.statement_id or reminder.version.statement_id
    return reverse("statements:detail", args=[reminder.incident_id, statement_id])


def _overdue_items(incident) -> list[tuple[str, str]]:
    reminders = _overdue().filter(incident=incident).select_related("version").order_by("next_due_at", "id")
    return [(str(reminder.get_kind_display()), _link(reminder)) for reminder in reminders]


def register_concerns() -> None:
    register(
        Concern(
            key="overdue_reminders",
            label=_("Overdue reminders"),
            weight=90,
            count=lambda: count_per_incident(_overdue()),
            items=_overdue_items,
            describe=lambda n: (
                ngettext("%(count)s reminder is overdue", "%(count)s reminders are overdue", n) % {"count": n}
            ),
        )
    )
