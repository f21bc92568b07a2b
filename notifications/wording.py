"""What a notification says, worded in the reader's language when it is shown.

A producer names a wording and gives its parameters as plain values (ids, text
people typed, choice values); `notify` keeps both in the row's data, beside a
title and body worded in the cell's default language (the e-mail's, the
admin's). Pages, the API and the live badge word them again in the language in
force, so that an English reader of a French cell reads English. A row without
a known wording (written before wordings existed) shows its stored texts.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# key -> (title, body). Body None: the parameter "text" as it was typed (a chat message).
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
}


def _params(params: dict) -> dict:
    """The parameters, with choice values turned into their label in the active language."""
    from facts.models import FactStatus

    worded = dict(params)
    if "fact_status" in params:
        status = params["fact_status"]
        worded["status"] = str(FactStatus(status).label) if status in FactStatus.values else status
    return worded


def texts(key: str, params: dict) -> tuple[str, str]:
    """(title, body) in the active language."""
    title, body = WORDINGS[key]
    values = _params(params)
    # A title is a line: a long text (a claim's) is cut there, whole in the body.
    title_text = str(title) % {**values, "text": str(values.get("text", ""))[:80]}
    if params.get("escalated"):
        title_text = _("[Escalated] %(title)s") % {"title": title_text}
    return title_text, (str(body) % values if body is not None else values.get("text", ""))


def shown(notification) -> tuple[str, str]:
    """The notification's (title, body) in the active language."""
    data = notification.data or {}
    key = data.get("wording")
    if key in WORDINGS and isinstance(data.get("params"), dict):
        try:
            return texts(key, data["params"])
        except (KeyError, TypeError, ValueError):  # a parameter missing from an older row
            pass
    return notification.title, notification.body
