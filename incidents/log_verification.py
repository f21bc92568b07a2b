"""Verify a crisis log: its hash chain, and the chain against the signed checkpoints outside the database.

Runs in a Celery worker (incidents.tasks.run_log_verification), never in a web
request: a long log would hold the request's database connection for as long.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from . import anchoring
from .crisislog import GENESIS_HASH, compute_hash
from .models import Incident, LogEntry, LogVerification, VerificationStatus

PROGRESS_EVERY = 500


@dataclass(frozen=True)
class LogReport:
    valid: bool
    checked: int
    total: int
    first_broken: int | None = None  # id of the first stored entry that does not fit
    first_broken_seq: int | None = None  # where the log breaks, also when entries are missing
    problem: str = ""  # in English, numbers filled in
    problem_template: str = ""  # one of the templates below, for a translated display
    covered_seq: int = 0  # entries 1..covered_seq are covered by a signed checkpoint
    checkpoint_at: datetime.datetime | None = None


# The problems, worded once (translated where they are shown).
MISSING = gettext_noop("entry #%(seq)s is missing")
NOT_FOLLOWING = gettext_noop("entry #%(seq)s does not follow the previous entry")
CONTENT_CHANGED = gettext_noop("entry #%(seq)s: its content does not match its hash")
NOT_AS_SIGNED = gettext_noop("entry #%(seq)s no longer matches the signed checkpoint")
SIGNED_BUT_GONE = gettext_noop("entries #%(seq)s to #%(last)s were covered by a signed checkpoint and are gone")
TAIL_MISSING = gettext_noop("entries #%(seq)s to #%(last)s are missing at the end")


# What the hash covers, and what the walk compares: rows, not model instances (a model
# instance per entry was most of the time of a long log; issue 12).
HASHED_FIELDS = (
    "id",
    "incident_id",
    "seq",
    "kind",
    "category",
    "text",
    "source_url",
    "corrects_id",
    "actor_id",
    "data",
    "created_at",
    "prev_hash",
    "hash",
)


def verify_log(
    incident_id: int, progress: Callable[[int, int], None] | None = None, *, from_checkpoint: bool = False
) -> LogReport:
    """Walk the chain in order and compare it with the signed checkpoints.

    `from_checkpoint`: start at the latest signed checkpoint instead of the first entry (the
    periodic check): its entry must still carry the signed hash, which covers every entry
    before it through the chain (a rewritten and recomputed past changes it); only what
    came after is re-hashed. What it cannot see is an old entry's content edited while its
    stored hash was left as it was (the database's trigger refuses such an UPDATE): the full
    verification, asked from the workspace or the API, re-hashes every entry.
    """
    anchors = anchoring.anchors_for(incident_id)
    total = Incident.objects.values_list("log_seq", flat=True).get(pk=incident_id)
    common = {"total": total, "covered_seq": anchors.covered_seq, "checkpoint_at": anchors.checkpoint_at}

    def broken(checked, entry_id, seq, template, last=None):
        problem = template % {"seq": seq, "last": last}
        return LogReport(
            False,
            checked,
            first_broken=entry_id,
            first_broken_seq=seq,
            problem=problem,
            problem_template=template,
            **common,
        )

    expected_prev, checked = GENESIS_HASH, 0
    entries = LogEntry.objects.filter(incident_id=incident_id)
    start = anchors.covered_seq if from_checkpoint else 0
    if start and anchors.hashes.get(start):
        head = entries.filter(seq=start).values_list("id", "hash").first()
        if head is None:
            return broken(0, None, start, SIGNED_BUT_GONE, last=anchors.covered_seq)
        if head[1] != anchors.hashes[start]:
            return broken(0, head[0], start, NOT_AS_SIGNED)
        expected_prev, checked = head[1], start
        entries = entries.filter(seq__gt=start)
    rows = entries.order_by("seq").values_list(*HASHED_FIELDS, named=True).iterator(chunk_size=2000)
    for expected_seq, entry in enumerate(rows, start=checked + 1):
        checked += 1
        if entry.seq != expected_seq:
            return broken(checked, entry.id, expected_seq, MISSING)
        if entry.prev_hash != expected_prev:
            return broken(checked, entry.id, entry.seq, NOT_FOLLOWING)
        if compute_hash(entry.prev_hash, entry) != entry.hash:
            return broken(checked, entry.id, entry.seq, CONTENT_CHANGED)
        signed = anchors.hashes.get(entry.seq)
        if signed is not None and signed != entry.hash:
            # The chain holds, yet it is not the chain that was signed: rewritten and recomputed.
            return broken(checked, entry.id, entry.seq, NOT_AS_SIGNED)
        expected_prev = entry.hash
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, total)
    if checked < anchors.covered_seq:
        # Entries that a checkpoint signed are gone (the counter may have been lowered too).
        return broken(checked, None, checked + 1, SIGNED_BUT_GONE, last=anchors.covered_seq)
    if checked != total:
        return broken(checked, None, checked + 1, TAIL_MISSING, last=total)
    return LogReport(True, checked, **common)


def request_verification(*, actor, incident: Incident) -> LogVerification:
    """Ask for a verification; one that is still waiting or running is returned instead of a second."""
    from .tasks import run_log_verification

    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=incident.pk).values_list("pk").get()
        pending = (
            LogVerification.objects.filter(
                incident=incident, status__in=[VerificationStatus.PENDING, VerificationStatus.RUNNING]
            )
            .order_by("-requested_at")
            .first()
        )
        if pending is not None:
            return pending
        verification = LogVerification.objects.create(
            incident=incident, requested_by=actor, total=incident.log_seq or 0
        )
        transaction.on_commit(lambda: run_log_verification.delay(verification.pk))
    return verification


def run(verification_id: int) -> LogVerification | None:
    """Claim the verification and run it; idempotent (a redelivered task runs it again, same verdict)."""
    claimed = LogVerification.objects.filter(
        pk=verification_id, status__in=[VerificationStatus.PENDING, VerificationStatus.RUNNING]
    ).update(status=VerificationStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    verification = LogVerification.objects.get(pk=verification_id)

    def progress(checked: int, total: int) -> None:
        LogVerification.objects.filter(pk=verification_id).update(checked=checked, total=max(total, checked))

    try:
        report = verify_log(verification.incident_id, progress)
    except Exception as error:
        LogVerification.objects.filter(pk=verification_id).update(
            status=VerificationStatus.FAILED, finished_at=timezone.now(), problem=f"{error.__class__.__name__}"[:500]
        )
        raise
    LogVerification.objects.filter(pk=verification_id).update(
        status=VerificationStatus.DONE,
        finished_at=timezone.now(),
        total=max(report.total, report.checked),
        checked=report.checked,
        valid=report.valid,
        first_broken_seq=report.first_broken_seq,
        first_broken_entry=report.first_broken,
        problem=report.problem_template,
        covered_seq=report.covered_seq,
        checkpoint_at=report.checkpoint_at,
    )
    return LogVerification.objects.get(pk=verification_id)
