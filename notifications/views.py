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

from . import selectors, services
from .links import target_urls

PAGE_SIZE = 25


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
