"""Generic presentation filters: durations, ages, dates, quotation, short links (any app's template)."""

import datetime
from urllib.parse import urlsplit

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.dates import local_parts

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


@register.filter
def when(value):
    """<time> with the date in the user's zone and the zone's abbreviation.

    `datetime` carries the UTC instant, so that scripts and copy-paste keep
    the exact time; the title names the zone in full (CET is ambiguous).
    """
    if not isinstance(value, datetime.datetime):
        return "—"
    shown, abbreviation = local_parts(value)
    return format_html(
        '<time datetime="{}" title="{}">{} {}</time>',
        value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        timezone.get_current_timezone_name(),
        shown,
        abbreviation,
    )


@register.filter
def duration_since(value) -> str:
    """How long ago, short enough for a table cell: "45 min", "3 h 20 min", "2 d 4 h"."""
    if not isinstance(value, datetime.datetime):
        return "—"
    minutes = max(0, int((timezone.now() - value).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.filter
def grouped(value):
    """A count with the language's digit grouping: 12,400 in English, 12 400 in French.
    Reach and follower counts run into millions; raw digits are hard to read at a glance."""
    if value is None or value == "":
        return value
    return formats.number_format(value, force_grouping=True)


@register.filter
def quoted(text, length=None) -> str:
    """The text between the quotation marks of the active language, once, cut to `length`
    characters with an ellipsis: quotation marks the user typed around it (« », “ ”, " ")
    are not doubled."""
    text = str(text if text is not None else "").strip()
    pairs = (("«", "»"), ("“", "”"), ('"', '"'), ("\u2018", "\u2019"))
    for opening, closing in pairs:
        if len(text) >= 2 and text.startswith(opening) and text.endswith(closing):
            text = text[len(opening) : -len(closing)].strip()
            break
    if length:
        text = Truncator(text).chars(int(length))
    if (get_language() or "en").startswith("fr"):
        return f"«\u00a0{text}\u00a0»"
    return f"“{text}”"


@register.filter
def full_stop(text) -> str:
    """The sentence with its final full stop, unless it already ends with punctuation."""
    text = str(text if text is not None else "").rstrip()
    return text if not text or text[-1] in ".!?…»”\"')" else f"{text}."


_CHOICE_LABELS: dict[tuple, dict] = {}


@register.filter
def display(obj, field_name: str) -> str:
    """`{{ entry|display:"kind" }}`: what `entry.get_kind_display` shows, for a fraction of its cost.

    Django's `get_FOO_display` rebuilds `dict(make_hashable(field.flatchoices))` at
    every call, a `gettext` and a hash per choice: 160 µs per log entry, 8 ms of
    the workspace's 50 entries (issue 12). The value → lazy label mapping is built
    once per field here; the label is translated when shown.
    """
    key = (type(obj), field_name)
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = _CHOICE_LABELS[key] = dict(type(obj)._meta.get_field(field_name).flatchoices)
    value = getattr(obj, field_name)
    if not labels:
        # A field whose values a registry decides (LogEntry.kind: incidents.log_kinds) has no
        # choices; its model words it (get_kind_display reads the registry, a dict lookup).
        shown = getattr(obj, f"get_{field_name}_display", None)
        return str(shown()) if shown is not None else str(value)
    return str(labels.get(value, value))
