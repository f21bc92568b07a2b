"""What went wrong with a mention, a file or a source, worded for people in their language.

A problem is a code and plain parameters (`Problem`). It is worded when it is shown, in the
reader's language (`str(problem)`, `word(data)`): the per-record errors of the batch API in
the request's language, and what is stored (a source's last error, an import's report),
written by a Celery worker that speaks no one's language, on the page of whoever reads it.

msgspec's validation messages are English only ("Expected `int` >= 0 - at `$.likes`"): the
few shapes that our record type can produce are recognised and worded here; anything
else keeps msgspec's text inside a translated sentence.
"""

import re
from dataclasses import dataclass, field

import msgspec
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WORDINGS = {
    # A record of a batch or of an imported file.
    "type": _("%(field)s: %(expected)s was expected, not %(got)s."),
    "missing": _("%(field)s is missing."),
    "too_short": _("%(field)s must have at least %(limit)s character(s)."),
    "too_long": _("%(field)s is longer than %(limit)s characters."),
    "too_small": _("%(field)s must be at least %(limit)s."),
    "too_large": _("%(field)s must be at most %(limit)s."),
    "datetime": _("%(field)s is not a date and time (RFC 3339, for example 2026-12-02T10:00:00Z)."),
    "malformed": _("This is not valid JSON (near byte %(byte)s)."),
    "truncated": _("The JSON is cut short."),
    "nested": _("The JSON is nested too deeply."),
    "invalid": _("Invalid record (%(detail)s)."),
    "no_timezone": _("published_at needs a time zone (Z or +01:00)."),
    "future": _("published_at is in the future."),
    "blank_id": _("external_id is blank."),
    "blank_text": _("text is blank."),
    "nul": _("The text contains a NUL character."),
    "not_object": _("The line is not a JSON object."),
    "not_number": _("%(field)s: not a whole number (%(value)s)."),
    "not_date": _("%(field)s: not a date (%(value)s)."),
    # An imported file as a whole.
    "not_utf8": _("The file is not UTF-8 text: save it as UTF-8 and send it again."),
    "no_header": _("The CSV file has no header line (the names of its columns)."),
    "columns_missing": _("Columns not in the file: %(columns)s. Map them, or choose another layout."),
    # A polled source (RSS/Atom, Mastodon).
    "not_web_address": _("Not a web address: %(url)s"),
    "unknown_host": _("Cannot find the server %(host)s (%(detail)s)."),
    "private_address": _(
        "%(host)s is a private or local address (%(ip)s): the server does not fetch from its own network. "
        "Use a public address, or ask the server's administrator to allow it (MONITORING_FETCH_PRIVATE_HOSTS)."
    ),
    "answer_too_large": _("The answer is larger than %(megabytes)s MB."),
    "http_status": _("The server answered HTTP %(status)s %(reason)s."),
    "unreachable": _("Cannot reach the server (%(detail)s)."),
    "timeout": _("No answer within %(seconds)s s."),
    "connection_failed": _("The connection failed (%(detail)s)."),
    "not_a_feed": _("Not a readable RSS/Atom feed (%(detail)s)."),
    "not_json": _("The instance did not answer JSON."),
    "not_statuses": _("The instance's answer is not a list of statuses."),
    "no_query": _("No hashtag or search query configured."),
    "unexpected": _("Unexpected error: %(detail)s"),
}

# msgspec's names of JSON types, as a person reads them ("a whole number was expected").
TYPE_NAMES = {
    "str": pgettext_lazy("JSON type", "a text"),
    "int": pgettext_lazy("JSON type", "a whole number"),
    "float": pgettext_lazy("JSON type", "a decimal number"),
    "bool": pgettext_lazy("JSON type", "true or false"),
    "null": pgettext_lazy("JSON type", "null"),
    "object": pgettext_lazy("JSON type", "an object"),
    "array": pgettext_lazy("JSON type", "a list"),
    "datetime": pgettext_lazy("JSON type", "a date and time"),
    "object | array": pgettext_lazy("JSON type", "an object or a list"),
}
RECORD = pgettext_lazy("JSON field", "the record")


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        """Worded in the active language."""
        return word(self.as_data())

    def english(self) -> str:
        """For logs (and the plain `last_error` column read by scripts)."""
        with translation.override("en"):
            return str(self)

    def as_data(self) -> dict:
        return {"code": self.code, "params": self.params}


def word(data: dict | None, fallback: str = "") -> str:
    """A stored problem ({"code", "params"}) in the active language; `fallback` when there is none."""
    if not data or data.get("code") not in WORDINGS:
        return fallback
    params = dict(data.get("params") or {})
    for key in ("expected", "got"):
        if key in params:
            params[key] = TYPE_NAMES.get(params[key], params[key])
    if "field" in params and not params["field"]:
        params["field"] = RECORD
    try:
        return str(WORDINGS[data["code"]]) % params
    except (KeyError, TypeError, ValueError):  # a stored problem from an older wording
        return fallback or str(WORDINGS[data["code"]])


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_SHAPES = [
    ("type", re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$")),
    ("missing", re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")),
    ("too_short", re.compile(r"^Expected `str` of length >= (?P<limit>\d+)$")),
    ("too_long", re.compile(r"^Expected `str` of length <= (?P<limit>\d+)$")),
    ("too_small", re.compile(r"^Expected `(?:int|float)` >= (?P<limit>-?[\d.]+)$")),
    ("too_large", re.compile(r"^Expected `(?:int|float)` <= (?P<limit>-?[\d.]+)$")),
    ("datetime", re.compile(r"^Invalid RFC3339 encoded datetime$")),
    ("truncated", re.compile(r"^Input data was truncated$")),
    ("malformed", re.compile(r"^JSON is malformed: .*\(byte (?P<byte>\d+)\)$")),
]


def from_msgspec(error: msgspec.ValidationError | msgspec.DecodeError) -> Problem:
    """msgspec's English message as a Problem (its code, the field as the client sent it)."""
    message = str(error)
    path = ""
    at = _AT.search(message)
    if at:
        message = message[: at.start()]
        path = at["path"].lstrip(".")
    for code, shape in _SHAPES:
        found = shape.match(message)
        if found:
            params = found.groupdict()
            params.setdefault("field", path)
            return Problem(code, params)
    return Problem("invalid", {"detail": str(error).replace("$.", "")})
