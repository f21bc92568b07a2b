"""Due times: how long the cell gives itself to answer, by the incident's level (a table per cell)."""

import datetime

from django.utils import timezone

from .models import SlaPolicy

DEFAULTS = SlaPolicy()  # the field defaults: crisis 30 min, alert 2 h, recovery 4 h, watch 1 working day


def policy_for(cell) -> SlaPolicy:
    return SlaPolicy.objects.filter(cell=cell).first() or DEFAULTS


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """`days` working days after `start`, same local time; Saturday and Sunday do not count."""
    local = timezone.localtime(start)
    added = 0
    while added < days:
        local += datetime.timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local


def due_at(policy: SlaPolicy, level: str, start: datetime.datetime) -> datetime.datetime:
    minutes = {
        "crisis": policy.crisis_minutes,
        "alert": policy.alert_minutes,
        "recovery": policy.recovery_minutes,
    }.get(level)
    if minutes is not None:
        return start + datetime.timedelta(minutes=minutes)
    # watch (and closed: an item flagged on a closed incident is not urgent)
    return add_working_days(start, max(1, policy.watch_working_days))


def escalation_delay(policy: SlaPolicy, level: str) -> datetime.timedelta:
    """After the due time, how long before the managers hear of an overdue item: half the SLA, 10 min at least."""
    sla = due_at(policy, level, timezone.now()) - timezone.now()
    return max(datetime.timedelta(minutes=10), sla / 2)
