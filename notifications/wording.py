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
from django.utils.translation import gettext_lazy

from core.dates import as_datetime, local_text

# key -> (title, body). Body None: the parameter "text", a chat message, as plain text.
WORDINGS = {
    "mention": (gettext_lazy("%(name)s mentioned you in “%(incident)s”"), None),
    "needs_review": (
        gettext_lazy("Needs review: %(title)s"),
        gettext_lazy(
            "Fact #%(id)s “%(fact)s” is now %(status)s%(reason)s. Version(s) %(versions)s of “%(title)s” cite it: "
            "approve a new version without it, or withdraw the statement."
        ),
    ),
    "reminder.statement_review": (
        gettext_lazy("Holding statement due for review: %(title)s"),
        gettext_lazy(
            "The holding statement “%(title)s” (incident “%(incident)s”) was due for review at %(due)s. "
            "Publish an updated version, or adjust its review time."
        ),
    ),
    "reminder.version_in_review": (
        gettext_lazy("Waiting for approval: %(title)s v%(number)s"),
        gettext_lazy(
            "Version %(number)s of “%(title)s” (incident “%(incident)s”) has been waiting for approval since %(since)s."
        ),
    ),
    "reminder.claim_unanswered": (
        gettext_lazy("Claim circulating unanswered: %(text)s"),
        gettext_lazy(
            "Since %(since)s this claim circulates about “%(incident)s” and nothing answers it yet: “%(text)s”."
        ),
    ),
    "statement.submitted": (
        gettext_lazy("To approve: %(title)s v%(number)s"),
        gettext_lazy(
            "%(name)s submitted version %(number)s of “%(title)s” (incident “%(incident)s”) for approval at "
            "%(at)s. Approve it or reject it with a comment; its authors cannot approve it themselves."
        ),
    ),
    "statement.approved": (
        gettext_lazy("Approved: %(title)s v%(number)s"),
        gettext_lazy(
            "%(name)s approved version %(number)s of “%(title)s” (incident “%(incident)s”) at %(at)s. "
            "Its text is frozen; a manager can now publish it."
        ),
    ),
    "statement.rejected": (
        gettext_lazy("Rejected: %(title)s v%(number)s"),
        gettext_lazy(
            "%(name)s rejected version %(number)s of “%(title)s” (incident “%(incident)s”) at %(at)s: "
            "“%(comment)s”. Edit it and submit it again."
        ),
    ),
    "statement.published": (
        gettext_lazy("Published: %(title)s v%(number)s"),
        gettext_lazy(
            "%(name)s published version %(number)s of “%(title)s” (incident “%(incident)s”) at %(at)s, on %(channel)s."
        ),
    ),
    "incident.escalated": (
        gettext_lazy("“%(incident)s” is now at level %(level)s"),
        gettext_lazy("%(name)s moved “%(incident)s” from %(from_level)s to %(level)s at %(at)s. Reason: %(reason)s"),
    ),
}

# Parameters that hold an instant (stored as ISO strings): worded for the reader.
DATE_PARAMS = ("due", "since", "at")

# A title is one line: a longer text is cut there (with an ellipsis) and given whole in the body.
TITLE_TEXT_CHARS = 80


def _params(params: dict) -> dict:
    """The parameters as a reader reads them: labels of choice values, local dates."""
    from facts.models import FactStatus
    from incidents.models import Level

    worded = dict(params)
    if "fact_status" in params:
        status = params["fact_status"]
        worded["status"] = str(FactStatus(status).label) if status in FactStatus.values else status
    for key in ("level", "from_level"):
        if params.get(key) in Level.values:
            worded[key] = str(Level(params[key]).label)
    for key in DATE_PARAMS:
        if as_datetime(params.get(key)) is not None:
            worded[key] = local_text(params[key])
    return worded


def _chat_text(text) -> str:
    from messaging.markdown import plain_text

    return plain_text(str(text or ""))


def texts(key: str, params: dict) -> tuple[str, str]:
    """(title, body) in the active language and time zone."""
    title, body = WORDINGS[key]
    values = _params(params)
    title_text = str(title) % {**values, "text": Truncator(str(values.get("text", ""))).chars(TITLE_TEXT_CHARS)}
    if params.get("escalated"):
        title_text = _("[Escalated] %(title)s") % {"title": title_text}
    return title_text, (str(body) % values if body is not None else _chat_text(values.get("text", "")))


# Everything about a drill says so, first (issue 15): the same words in both languages.
EXERCISE_PREFIX = "EXERCICE / EXERCISE — "


def exercise_title(title: str) -> str:
    return title if title.startswith(EXERCISE_PREFIX) else EXERCISE_PREFIX + title


def shown(notification) -> tuple[str, str]:
    """The notification's (title, body) in the active language; a drill's says EXERCISE first."""
    data = notification.data or {}
    key = data.get("wording")
    title, body = notification.title, notification.body
    if key in WORDINGS and isinstance(data.get("params"), dict):
        # A parameter missing from an older row: its stored texts stand.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            title, body = texts(key, data["params"])
    return (exercise_title(title) if data.get("exercise") else title), body
