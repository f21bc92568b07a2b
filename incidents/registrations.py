"""What the incidents app registers itself (AppConfig.ready): its own crisis-log kinds."""

from . import log_kinds
from .models import LogKind


def register() -> None:
    for kind, panels in (
        (LogKind.CREATED, ["summary", "log"]),
        (LogKind.EDITED, ["summary", "log"]),
        # A new level also changes the review deadline of published holding statements.
        (LogKind.LEVEL_CHANGED, ["summary", "glance", "log", "statements"]),
        (LogKind.NOTE, ["log"]),
        # A correction may correct a pinned key decision.
        (LogKind.CORRECTION, ["glance", "log"]),
        (LogKind.PIN, ["glance", "log"]),
    ):
        log_kinds.register(kind.value, label=kind.label, panels=panels)
    # Written by the system (the escalation e-mail): hidden with the automatic entries.
    log_kinds.register(LogKind.NOTIFICATION.value, label=LogKind.NOTIFICATION.label, automatic=True)
