"""What incidents publish for the apps above them (they subscribe in their AppConfig.ready)."""

from django.dispatch import Signal

# An incident went up to a level the whole cell must hear of (alert, crisis).
# Sent inside the transition's transaction with `incident`, `entry` (the
# level_changed log entry) and `actor`; receivers write in that transaction.
escalated = Signal()

# An incident moved to another level (any move, closing and reopening too). Sent inside
# the transition's transaction, after its crisis-log entry, with `incident` (at its new
# level), `entry`, `actor`, `from_level` and `to_level`; receivers write in that
# transaction (reminders recompute review deadlines; playbooks start their steps).
level_changed = Signal()
