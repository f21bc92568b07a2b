"""The notifications page: the user's own notifications, unread first, marked read one by one or all at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from reminders.models import Reminder, ReminderKind

from . import selectors, services

PAGE_SIZE = 25


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


@login_required
@require_GET
def notification_list(request):
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    notifications = (
        selectors.notifications_for(request.user)
        .annotate(read_rank=unread_first)
        .order_by("read_rank", "-created_at", "-id")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    urls = target_urls(page.object_list)
    for notification in page.object_list:
        notification.target_url = urls[notification.pk]
    return render(request, "notifications/list.html", {"page": page})


def _back(request):
    target = request.POST.get("next") or reverse("notifications:list")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("notifications:list")
    return redirect(target)


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one read; with open=1, go on to what it is about."""
    notification = selectors.get_notification_for_user(request.user, pk)
    services.mark_read(user=request.user, ids=[notification.pk])
    if request.POST.get("open"):
        url = target_urls([notification])[notification.pk]
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
            return redirect(url)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", count)
        % {"count": count},
    )
    return _back(request)
