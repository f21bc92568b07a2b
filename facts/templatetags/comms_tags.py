"""Presentation helpers for facts, claims and statements: ages, short links."""

import datetime
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value) -> str:
    """A short, readable duration: "35 min", "2 h 15 min", "2 h", "3 d".

    Precise while it is short (minutes matter in the first hours of a rumour),
    coarse when it is long.
    """
    if not isinstance(value, datetime.timedelta):
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        if hours < 6 and rest:
            return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
        return _("%(h)s h") % {"h": hours}
    days, hours = divmod(hours, 24)
    if days < 3 and hours:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    return _("%(d)s d") % {"d": days}


@register.filter
def age(value) -> str:
    """How long ago a datetime was, as `duration` words it."""
    if not isinstance(value, datetime.datetime):
        return ""
    return duration(timezone.now() - value)


@register.filter
def is_past(value) -> bool:
    return isinstance(value, datetime.datetime) and value <= timezone.now()


@register.filter
def host(url: str) -> str:
    """The host name of a link, to show where a source lives without its whole URL."""
    try:
        return urlsplit(str(url)).hostname or str(url)
    except ValueError:
        return str(url)
