"""Word something for one person when there is no request to say how: an e-mail, a task."""

import contextlib
import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


def language_of(user) -> str:
    """The language the person chose, else the site's default (the cell's, French)."""
    chosen = getattr(user, "language", "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def timezone_of(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "timezone", "") or settings.DEFAULT_USER_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)


@contextlib.contextmanager
def as_read_by(user):
    """Translations and dates as `user` reads them (their language and time zone)."""
    with translation.override(language_of(user)), timezone.override(timezone_of(user)):
        yield
