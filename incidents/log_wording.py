"""Crisis-log entries of the communication workflows, worded for people.

The facts, claims, statements and reminders services record what happened as
data ({"action": "publish", "statement": 5, "version": 2, ...}); this turns an
entry into the sentence the log shows (and a link to what it is about), in the
reader's language, at display time.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import LogEntry, LogKind

# (kind, action) -> sentence; the placeholders come from the entry's data.
SENTENCES = {
    (LogKind.FACT, "created"): gettext_lazy("Fact #%(fact)s recorded."),
    (LogKind.FACT, "edited"): gettext_lazy("Fact #%(fact)s corrected (version %(version)s)."),
    (LogKind.FACT, "source_added"): gettext_lazy("Source added to fact #%(fact)s."),
    (LogKind.FACT, "verify"): gettext_lazy("Fact #%(fact)s verified."),
    (LogKind.FACT, "refute"): gettext_lazy("Fact #%(fact)s refuted."),
    (LogKind.FACT, "retract"): gettext_lazy("Fact #%(fact)s retracted."),
    (LogKind.CLAIM, "registered"): gettext_lazy("Claim #%(claim)s registered as circulating."),
    (LogKind.CLAIM, "edited"): gettext_lazy("Claim #%(claim)s edited."),
    (LogKind.CLAIM, "status"): gettext_lazy("Claim #%(claim)s: %(from_label)s → %(to_label)s."),
    (LogKind.CLAIM, "fact_linked"): gettext_lazy("Fact #%(fact)s linked to claim #%(claim)s (%(relation_label)s)."),
    (LogKind.STATEMENT, "created"): gettext_lazy("Statement #%(statement)s drafted."),
    (LogKind.STATEMENT, "edited"): gettext_lazy("Statement #%(statement)s edited."),
    (LogKind.STATEMENT, "new_version"): gettext_lazy("Statement #%(statement)s: version %(version)s started."),
    (LogKind.STATEMENT, "submit"): gettext_lazy("Statement #%(statement)s v%(version)s submitted for approval."),
    (LogKind.STATEMENT, "approve"): gettext_lazy("Statement #%(statement)s v%(version)s approved."),
    (LogKind.STATEMENT, "reject"): gettext_lazy("Statement #%(statement)s v%(version)s rejected."),
    (LogKind.STATEMENT, "publish"): gettext_lazy("Statement #%(statement)s v%(version)s published (%(channel)s)."),
    (LogKind.STATEMENT, "withdraw"): gettext_lazy("Statement #%(statement)s v%(version)s withdrawn."),
    (LogKind.STATEMENT, "needs_review"): gettext_lazy(
        "Statement #%(statement)s needs review: a fact it cites was refuted or retracted."
    ),
    (LogKind.STATEMENT, "review_due_set"): gettext_lazy("Review deadline of statement #%(statement)s moved."),
    (LogKind.STATEMENT, "review_due_recomputed"): gettext_lazy(
        "Review deadlines of the holding statements follow the new level."
    ),
    (LogKind.REMINDER, "sent"): gettext_lazy("Reminder sent (#%(occurrence)s): %(reminder_label)s."),
    (LogKind.REMINDER, "escalated"): gettext_lazy(
        "Reminder escalated to every manager (#%(occurrence)s): %(reminder_label)s."
    ),
    (LogKind.REMINDER, "snoozed"): gettext_lazy("Reminder snoozed for %(minutes)s min: %(reminder_label)s."),
    # Preparedness (playbooks app).
    (LogKind.PLAYBOOK, "applied"): gettext_lazy(
        "Playbook v%(version)s, level %(level_label)s: %(tasks)s task(s) and %(drafts)s draft statement(s) created."
    ),
    (LogKind.TASK, "added"): gettext_lazy("Task #%(task)s added."),
    (LogKind.TASK, "done"): gettext_lazy("Task #%(task)s done."),
    (LogKind.TASK, "cancelled"): gettext_lazy("Task #%(task)s cancelled."),
    (LogKind.TASK, "reopened"): gettext_lazy("Task #%(task)s reopened."),
    (LogKind.TASK, "reminded"): gettext_lazy("Task #%(task)s is overdue: reminder #%(occurrence)s sent."),
    (LogKind.TASK, "escalated"): gettext_lazy("Task #%(task)s is overdue: the managers were told (#%(occurrence)s)."),
}
WORDED_KINDS = frozenset(kind for kind, _action in SENTENCES)


def _labels(data: dict) -> dict:
    from facts.models import ClaimRelation, ClaimStatus
    from reminders.models import ReminderKind

    from .models import Level

    def label(choices, value):
        return str(choices(value).label) if value in choices.values else value or "?"

    return {
        "from_label": label(ClaimStatus, data.get("from")),
        "to_label": label(ClaimStatus, data.get("to")),
        "relation_label": label(ClaimRelation, data.get("relation")),
        "reminder_label": label(ReminderKind, data.get("reminder_kind")),
        "level_label": label(Level, data.get("level")),
        "drafts": len(data.get("statements") or []),
    }


def describe(entry: LogEntry) -> str:
    """The sentence for an entry of a worded kind; "" when there is none (the text stands alone)."""
    data = entry.data or {}
    sentence = SENTENCES.get((entry.kind, data.get("action")))
    if sentence is None:
        return ""
    values = {"version": "?", "channel": "", "occurrence": "?", "minutes": "?", **data, **_labels(data)}
    try:
        return str(sentence) % values
    except (KeyError, TypeError, ValueError):  # an entry written before a field existed
        return _("%(kind)s: %(action)s") % {"kind": entry.get_kind_display(), "action": data.get("action")}


def target_url(entry: LogEntry) -> str:
    """The page of the fact, claim or statement the entry is about, if any."""
    from messaging.rendering import ref_url

    data = entry.data or {}
    for kind in ("statement", "claim", "fact"):
        if isinstance(data.get(kind), int):
            return ref_url(entry.incident_id, kind, data[kind])
    return ""
