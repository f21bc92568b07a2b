"""What facts publish for the apps above them (they subscribe in their AppConfig.ready)."""

from django.dispatch import Signal

# A fact was refuted or retracted: what rests on it must be looked at again
# (statements flag the versions that cite it). Sent inside the move's transaction,
# with `fact` (at its new status) and `actor`; receivers write in that transaction.
fact_discredited = Signal()
