from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first. Nobody reads anyone else's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("incident").order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def get_notification_for_user(user, notification_id) -> Notification:
    try:
        return notifications_for(user).get(pk=int(notification_id))
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such notification.")) from None
