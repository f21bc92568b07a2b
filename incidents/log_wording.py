"""Crisis-log entries of the workflows, worded for people.

The facts, claims, statements and reminders services record what happened as
data ({"action": "publish", "statement": 5, "version": 2, ...}); this turns an
entry into the sentence the log shows (and a link to what it is about), in the
reader's language, at display time. The sentences are registered by each app with
its log kinds (incidents.log_kinds).
"""

from django.utils.translation import gettext as _

from . import log_kinds, references
from .models import LogEntry


def describe(entry: LogEntry) -> str:
    """The sentence for an entry of a worded kind; "" when there is none (the text stands alone)."""
    data = entry.data or {}
    spec = log_kinds.get(entry.kind)
    sentence = spec.sentences.get(data.get("action")) if spec else None
    if sentence is None:
        return ""
    values = {"version": "?", "channel": "", "occurrence": "?", "minutes": "?", **data}
    try:
        if spec.labels is not None:
            values.update(spec.labels(data))
        return str(sentence) % values
    except (KeyError, TypeError, ValueError):  # an entry written before a field existed
        return _("%(kind)s: %(action)s") % {"kind": entry.get_kind_display(), "action": data.get("action")}


def target_url(entry: LogEntry) -> str:
    """The page of the fact, claim or statement the entry is about, if any."""
    named = references.named_in(entry.data or {})
    return references.url(entry.incident_id, *named) if named else ""
