"""Celery tasks: they take ids, call services, and are safe to run twice."""

import logging

from celery import shared_task
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from . import anchoring
from .models import Incident, LogCheckpoint

logger = logging.getLogger(__name__)


@shared_task
def verify_all_log_chains() -> dict:
    """Periodic integrity check of every crisis log, against its signed checkpoints too;
    a broken log is an ERROR for the admins. Incremental: from each log's latest signed
    checkpoint (its hash must still be there), only the entries after it are re-hashed;
    the full walk is the verification people ask for (issue 12)."""
    from .log_verification import verify_log

    broken = {}
    for incident in Incident.objects.only("pk", "title").iterator():
        report = verify_log(incident.pk, from_checkpoint=True)
        if not report.valid:
            broken[incident.pk] = report.first_broken
            logger.error(
                "Crisis log of incident %s (%s) is broken at entry %s: %s",
                incident.pk,
                incident.title,
                report.first_broken,
                report.problem,
            )
    return {"broken": broken}


@shared_task(acks_late=True)
def anchor_crisis_log(incident_id: int) -> int | None:
    """Sign this incident's log head now (after a level change); idempotent (nothing new, nothing signed)."""
    checkpoint = anchoring.anchor_incident(incident_id)
    return checkpoint.seq if checkpoint else None


@shared_task
def anchor_crisis_logs() -> int:
    """Beat: a checkpoint for every log that moved since its last one."""
    latest = LogCheckpoint.objects.filter(incident=OuterRef("pk")).order_by("-seq").values("seq")[:1]
    moved = Incident.objects.annotate(anchored=Coalesce(Subquery(latest), 0)).filter(log_seq__gt=F("anchored"))
    done = 0
    for incident_id in moved.values_list("pk", flat=True).iterator():
        done += anchoring.anchor_incident(incident_id) is not None
    return done


@shared_task(acks_late=True)
def run_log_verification(verification_id: int) -> bool | None:
    """A verification asked from the workspace or the API (incidents.log_verification)."""
    from .log_verification import run

    verification = run(verification_id)
    return verification.valid if verification else None
