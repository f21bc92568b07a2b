"""Where a notification leads: the page of what it is about."""

from django.urls import reverse

from reminders.models import Reminder, ReminderKind


def target_urls(notifications) -> dict[int, str]:
    """Where each notification leads: the statement or claim it is about, else its incident.

    Reminder notifications name their reminder only: its targets are looked up
    in one query for the whole page.
    """
    reminder_ids = {n.data.get("reminder") for n in notifications if isinstance(n.data.get("reminder"), int)}
    reminders = (
        {
            row["pk"]: row
            for row in Reminder.objects.filter(pk__in=reminder_ids).values(
                "pk", "kind", "incident_id", "statement_id", "version__statement_id", "claim_id"
            )
        }
        if reminder_ids
        else {}
    )
    urls = {}
    for notification in notifications:
        data, incident_id = notification.data or {}, notification.incident_id
        reminder = reminders.get(data.get("reminder"))
        url = notification.link
        if incident_id and isinstance(data.get("statement"), int):
            url = reverse("statements:detail", args=[incident_id, data["statement"]])
        elif reminder is not None:
            if reminder["kind"] == ReminderKind.CLAIM_UNANSWERED:
                url = reverse("facts:claim-detail", args=[reminder["incident_id"], reminder["claim_id"]])
            else:
                statement_id = reminder["statement_id"] or reminder["version__statement_id"]
                url = reverse("statements:detail", args=[reminder["incident_id"], statement_id])
        elif not url and incident_id:
            url = reverse("incidents:detail", args=[incident_id])
        urls[notification.pk] = url
    return urls
