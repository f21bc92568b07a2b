"""What a notification says, worded in the reader's language when it is shown.

A producer names a wording and gives its parameters as plain values (ids, text
people typed, choice values, ISO dates); `notify` keeps both in the row's data,
beside a title and body worded in the cell's default language (the admin's).
Pages, the API, the live badge and the e-mail word them again for their reader:
in the language in force, dates in the reader's time zone (never the ISO string
that is stored), level and status values as their labels, chat markdown as
plain text. A row without a known wording (written before wordings existed)
shows its stored texts.
"""

import contextlib

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from core.dates import as_datetime, local_text
from incidents.models import Level

from . import registry

# Parameters that hold an instant (stored as ISO strings): worded for the reader.
DATE_PARAMS = ("due", "since", "at")

# A title is one line: a longer text is cut there (with an ellipsis) and given whole in the body.
TITLE_TEXT_CHARS = 80


def _params(params: dict) -> dict:
    """The parameters as a reader reads them: labels of choice values (the apps' own, registered),
    local dates."""
    worded = dict(params)
    for extra in registry.PARAMS:
        worded.update(extra(params))
    for key in ("level", "from_level"):
        if params.get(key) in Level.values:
            worded[key] = str(Level(params[key]).label)
    for key in DATE_PARAMS:
        if as_datetime(params.get(key)) is not None:
            worded[key] = local_text(params[key])
    return worded


def texts(key: str, params: dict) -> tuple[str, str]:
    """(title, body) in the active language and time zone."""
    wording = registry.WORDINGS[key]
    title, body = wording.title, wording.body
    values = _params(params)
    title_text = str(title) % {**values, "text": Truncator(str(values.get("text", ""))).chars(TITLE_TEXT_CHARS)}
    if params.get("escalated"):
        title_text = _("[Escalated] %(title)s") % {"title": title_text}
    return title_text, (body(values) if callable(body) else str(body) % values)


# Everything about a drill says so, first (issue 15): the same words in both languages.
EXERCISE_PREFIX = "EXERCICE / EXERCISE — "


def exercise_title(title: str) -> str:
    return title if title.startswith(EXERCISE_PREFIX) else EXERCISE_PREFIX + title


def shown(notification) -> tuple[str, str]:
    """The notification's (title, body) in the active language; a drill's says EXERCISE first."""
    data = notification.data or {}
    key = data.get("wording")
    title, body = notification.title, notification.body
    if key in registry.WORDINGS and isinstance(data.get("params"), dict):
        # A parameter missing from an older row: its stored texts stand.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            title, body = texts(key, data["params"])
    return (exercise_title(title) if data.get("exercise") else title), body
