"""Pages of reminders: snoozing one (with a reason), and a cell's communication settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cells.models import Role
from core.errors import Conflict

from . import selectors, services
from .forms import SnoozeForm
from .models import ReminderKind


def target_url(reminder) -> str:
    """The page of what the reminder is about: the claim's, or the statement's."""
    if reminder.kind == ReminderKind.CLAIM_UNANSWERED:
        return reverse("facts:claim-detail", args=[reminder.incident_id, reminder.claim_id])
    statement_id = reminder.statement_id or reminder.version.statement_id
    return reverse("statements:detail", args=[reminder.incident_id, statement_id])


@login_required
def snooze(request, pk, reminder_pk):
    """GET: the snooze form alone; POST: snooze, then back to the claim's or statement's page."""
    reminder, membership = selectors.get_reminder_for_user(request.user, pk, reminder_pk, Role.MEMBER)
    form = SnoozeForm(request.POST or None, prefix=f"r{reminder.pk}")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                snoozed = services.snooze(actor=request.user, reminder=reminder, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            except Conflict as conflict:
                messages.error(request, conflict.message)
                reminder.refresh_from_db()
                status = 409
            else:
                messages.success(request, _("Reminder snoozed; it comes back at the time shown."))
                return redirect(f"{target_url(snoozed)}#reminder-{snoozed.pk}")
    context = {
        "incident": reminder.incident,
        "reminder": reminder,
        "form": form,
        "can_snooze": membership.has_role(services.SNOOZE_ROLE[reminder.kind]),
        "target_url": target_url(reminder),
    }
    return render(request, "reminders/snooze.html", context, status=status)
