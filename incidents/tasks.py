"""Celery tasks: they take ids, call services, and are safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.reading import as_read_by
from core.links import absolute_url

from . import anchoring, crisislog
from .models import Incident, Level, LevelChangeNotice, LogCheckpoint, LogEntry, LogKind

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def notify_level_change(entry_id: int) -> int:
    """E-mail every member of the cell that an incident went up to alert or crisis
    (each in their language, with the incident's absolute address).

    Idempotent: the LevelChangeNotice row (one per log entry) is the claim. If
    the worker dies before commit everything rolls back and the redelivered
    task sends again (at least once); once committed, a rerun does nothing.
    """
    entry = LogEntry.objects.select_related("incident__cell", "actor").filter(pk=entry_id).first()
    if entry is None or entry.kind != LogKind.LEVEL_CHANGED:
        return 0
    try:
        with transaction.atomic():
            notice = LevelChangeNotice.objects.create(entry=entry)
            recipients = _recipients(entry)
            messages = []
            for user in recipients:
                with as_read_by(user):  # each in the language they chose
                    messages.append(_level_mail(entry, user.email))
            send_mass_mail(messages, fail_silently=False)
            notice.recipients = len(recipients)
            notice.save(update_fields=["recipients"])
            crisislog.append_entry(
                incident=entry.incident,
                kind=LogKind.NOTIFICATION,
                data={"entry": entry.pk, "recipients": len(recipients)},
            )
    except IntegrityError:
        logger.info("Level change %s already notified; nothing to do.", entry_id)
        return 0
    return len(recipients)


def _recipients(entry: LogEntry) -> list:
    """Active members with an e-mail address, but the one who moved it; one mail per address."""
    users = (
        get_user_model()
        .objects.filter(memberships__cell=entry.incident.cell, is_active=True)
        .exclude(email="")
        .exclude(pk=entry.actor_id)
        .order_by("email", "pk")
    )
    by_email = {}
    for user in users:
        by_email.setdefault(user.email, user)
    return list(by_email.values())


def _level_mail(entry: LogEntry, email: str) -> tuple[str, str, str, list[str]]:
    incident = entry.incident
    level = Level(entry.data["to"]).label
    subject = _("[%(cell)s] %(title)s is now at level %(level)s") % {
        "cell": incident.cell.name,
        "title": incident.title,
        "level": level,
    }
    body = _("%(actor)s moved “%(title)s” to %(level)s.\n\nReason: %(reason)s\n\n%(url)s") % {
        "actor": entry.actor or _("CrisisCell"),
        "title": incident.title,
        "level": level,
        "reason": entry.text,
        "url": absolute_url(reverse("incidents:detail", args=[incident.pk])),
    }
    if incident.is_exercise:
        # A drill's e-mails say so first, in both languages (as its notifications).
        subject = "EXERCICE / EXERCISE — " + subject
    return subject, body, settings.DEFAULT_FROM_EMAIL, [email]


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
