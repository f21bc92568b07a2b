import zoneinfo

from django.conf import settings
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show dates in the signed-in user's time zone (storage stays UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = getattr(request.user, "timezone", "") or settings.DEFAULT_USER_TIMEZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
