"""Dates as people read them: in the reader's time zone and language, never a raw ISO string.

Pages (the `when` filter), notification texts and e-mails all word dates here,
so that "Since 2026-12-02T06:16:19.057163+00:00" cannot reach anyone. Data
(events, log entries, notification parameters) keeps ISO strings: machines read
those, and the wording layer turns them into text at display time.
"""

import datetime

from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

# Short enough for a table cell, with the year (incidents last days, reviews
# come months later) and the 24-hour clock that crisis cells use.
DATETIME_FORMATS = {"fr": "j N Y H:i", "en": "j M Y, H:i"}


def as_datetime(value) -> datetime.datetime | None:
    """A timezone-aware datetime from a datetime or an ISO string; None for anything else."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            return None
    if not isinstance(value, datetime.datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def local_parts(value: datetime.datetime) -> tuple[str, str]:
    """(the date and time in the active zone and language, the zone's abbreviation)."""
    local = timezone.localtime(value)
    language = (get_language() or "en").split("-")[0]
    shown = dateformat.format(local, DATETIME_FORMATS.get(language, DATETIME_FORMATS["en"]))
    return shown, local.tzname() or timezone.get_current_timezone_name()


def local_text(value) -> str:
    """ "2 déc. 2026 07:16 CET" / "2 Dec 2026, 07:16 CET"; "—" when there is no date."""
    moment = as_datetime(value)
    if moment is None:
        return "—"
    shown, zone = local_parts(moment)
    return f"{shown} {zone}"
