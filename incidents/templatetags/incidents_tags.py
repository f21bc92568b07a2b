"""Presentation helpers for the incident pages: levels, dates, crisis-log details."""

import datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crisiscell.dates import local_parts

from ..models import CrisisType, Incident, Level, Severity

register = template.Library()


@register.filter
def level_label(value: str) -> str:
    """'crisis' -> 'Crise' in the active language; unknown values pass through."""
    try:
        return Level(value).label
    except ValueError:
        return value


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


def _field_label(name: str) -> str:
    try:
        return capfirst(Incident._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _choice_label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value)


def _value_label(name: str, value, people: dict) -> str:
    if value is None or value == "":
        return "—"
    if name == "owner":
        person = people.get(value)
        return str(person) if person else _("user #%(id)s") % {"id": value}
    if name == "is_exercise":
        return _("yes") if value else _("no")
    if name == "crisis_type":
        return _choice_label(CrisisType, value)
    if name == "severity":
        return _choice_label(Severity, value)
    return Truncator(str(value)).chars(80)


@register.simple_tag(takes_context=True)
def entry_changes(context, entry) -> list[dict]:
    """The changes of an "edited" entry, with translated field names and values.

    `people` (user id -> user) comes from the view, which looks up every owner
    of the page's entries in one query.
    """
    people = context.get("people") or {}
    changes = (entry.data or {}).get("changes") or {}
    rows = []
    for name, change in changes.items():
        old, new = [*change, None, None][:2] if isinstance(change, list | tuple) else (None, change)
        rows.append(
            {
                "label": _field_label(name),
                "old": _value_label(name, old, people),
                "new": _value_label(name, new, people),
            }
        )
    return rows


@register.simple_tag
def choice_label(kind: str, value) -> str:
    """Label of a stored crisis type or severity, e.g. in a "created" entry's data."""
    return _value_label(kind, value, {})


@register.simple_tag
def log_summary(entry) -> dict:
    """{"text", "url"} for an entry of the facts, claims, statements or reminders workflows."""
    from incidents.log_wording import describe, target_url

    return {"text": describe(entry), "url": target_url(entry)}


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


@register.simple_tag
def forced_close_summary(entry) -> str:
    """What was still open when an incident was closed anyway: "2 statements need review; 1 claim ..."."""
    from incidents.attention import describe_counts

    forced = (entry.data or {}).get("forced") or {}
    return "; ".join(describe_counts(forced.get("open")))
