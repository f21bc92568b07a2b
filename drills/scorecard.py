"""The drill's scorecard, kept with it for comparison with the next one.

Times are seconds from the drill's start (wall clock, pauses included: the cell's
clock does not stop because the exercise's does).
"""

import statistics

from django.db.models import Min

from facts.models import FactLogKind
from incidents.models import LogEntry, LogKind
from playbooks.models import Acknowledgement, AckStatus, PlaybookLogKind, Task, TaskStatus
from statements.models import Statement, StatementKind, StatementLogKind, StatementVersion, VersionStatus

from .models import InjectKind, InjectStatus

# Entries written by people in answer to an inject (what counts as "answered").
ANSWERS = (
    LogKind.NOTE,
    LogKind.CORRECTION,
    StatementLogKind.STATEMENT,
    FactLogKind.CLAIM,
    FactLogKind.FACT,
    PlaybookLogKind.TASK,
)


def _since(start, when):
    return None if when is None else round((when - start).total_seconds())


def compute(drill) -> dict:
    incident, start = drill.incident, drill.started_at
    answered_at = list(
        Acknowledgement.objects.filter(activation__incident=incident, status=AckStatus.ON_IT)
        .exclude(answered_at=None)
        .values_list("answered_at", flat=True)
    )
    ack_times = [_since(start, when) for when in answered_at]
    first_holding = Statement.objects.filter(incident=incident, kind=StatementKind.HOLDING).aggregate(
        at=Min("created_at")
    )["at"]
    first_approval = StatementVersion.objects.filter(
        statement__incident=incident,
        decided_at__isnull=False,
        status__in=[VersionStatus.APPROVED, VersionStatus.PUBLISHED],
    ).aggregate(at=Min("decided_at"))["at"]
    due_tasks = list(
        Task.objects.filter(incident=incident, due_at__isnull=False).values("status", "due_at", "finished_at")
    )
    on_time = sum(
        1 for t in due_tasks if t["status"] == TaskStatus.DONE and t["finished_at"] and t["finished_at"] <= t["due_at"]
    )
    injects = list(drill.injects.filter(status=InjectStatus.DELIVERED).order_by("position"))
    answered = sum(1 for inject in injects if _answered(inject, incident))
    return {
        "acknowledged": len(ack_times),
        "time_to_acknowledge_median": statistics.median(ack_times) if ack_times else None,
        "time_to_first_holding_statement": _since(start, first_holding),
        "time_to_first_approval": _since(start, first_approval),
        "tasks_with_deadline": len(due_tasks),
        "tasks_done_on_time": on_time,
        "injects_delivered": len(injects),
        "injects_answered": answered,
        "injects_planned": drill.injects.count(),
    }


def _answered(inject, incident) -> bool:
    """A rumour inject is answered when the claim is no longer circulating; a wave of posts, when one
    of its posts was handled in the drill's queue (answered, judged needing no reply, escalated);
    another, when someone wrote in the crisis log (or acted) after it."""
    if inject.kind == InjectKind.CLAIM and inject.result.get("claim"):
        from facts.models import Claim, ClaimStatus

        return Claim.objects.filter(pk=inject.result["claim"]).exclude(status=ClaimStatus.CIRCULATING).exists()
    if inject.kind == InjectKind.MENTION:
        from response_queue.models import DONE_STATES, QueueItem

        from .mentions import wave_ids_prefix

        return QueueItem.objects.filter(
            incident=incident, mention__external_id__startswith=wave_ids_prefix(inject), state__in=DONE_STATES
        ).exists()
    seq = inject.result.get("seq")
    if seq is None:
        return False
    return LogEntry.objects.filter(incident=incident, seq__gt=seq, kind__in=ANSWERS, actor__isnull=False).exists()
