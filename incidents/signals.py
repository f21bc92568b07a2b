"""What incidents publish for the apps above them (they subscribe in their AppConfig.ready)."""

from django.dispatch import Signal

# An incident went up to a level the whole cell must hear of (alert, crisis).
# Sent inside the transition's transaction with `incident`, `entry` (the
# level_changed log entry) and `actor`; receivers write in that transaction.
escalated = Signal()
