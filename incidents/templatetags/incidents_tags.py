"""Presentation helpers for the incident pages: levels, dates, crisis-log details."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from ..models import CrisisType, Incident, Level, Severity

register = template.Library()


@register.filter
def level_label(value: str) -> str:
    """'crisis' -> 'Crise' in the active language; unknown values pass through."""
    try:
        return Level(value).label
    except ValueError:
        return value


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


@register.simple_tag
def forced_close_summary(entry) -> str:
    """What was still open when an incident was closed anyway: "2 statements need review; 1 claim ..."."""
    from incidents.attention import describe_counts

    forced = (entry.data or {}).get("forced") or {}
    return "; ".join(describe_counts(forced.get("open")))
