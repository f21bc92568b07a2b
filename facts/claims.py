"""Writes on the claims register (rumours). One transaction per function, each logged.

A claim settles only on verified facts: confirming it needs a verified fact
that confirms it, debunking it a verified fact that refutes it. While it
circulates unanswered, a reminder (reminders app) keeps it in sight.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Role
from core.errors import Conflict
from core.transitions import Move, StateMachine
from incidents import crisislog
from incidents.models import Incident, LogCategory
from reminders import cadence
from reminders import services as reminders
from reminders.models import ReminderKind

from .models import Claim, ClaimFact, ClaimRelation, ClaimStatus, Fact, FactLogKind, FactStatus
from .services import require_member

C, U, OK, NO, F = (
    ClaimStatus.CIRCULATING,
    ClaimStatus.UNDER_CHECK,
    ClaimStatus.CONFIRMED,
    ClaimStatus.DEBUNKED,
    ClaimStatus.FADED,
)

STATUSES = StateMachine(
    model=Claim,
    field="status",
    states=ClaimStatus,
    moves=[
        Move(C, U, Role.MEMBER),
        Move(C, F, Role.MEMBER),  # it died out before anyone checked it
        Move(U, OK, Role.MEMBER),
        Move(U, NO, Role.MEMBER),
        Move(U, F, Role.MEMBER),
        Move(F, C, Role.MEMBER),  # it resurfaced
    ],
)
# The settled statuses and the verified evidence each one needs.
EVIDENCE = {OK: ClaimRelation.CONFIRMS, NO: ClaimRelation.REFUTES}
EDITABLE_FIELDS = ("text", "first_seen_at", "where", "url", "estimated_reach", "language")


def targets_from(status: str) -> list[ClaimStatus]:
    return [ClaimStatus(to) for to in STATUSES.targets_from(ClaimStatus(status))]


def log_claim(claim: Claim, actor, action: str, text: str = "", **data) -> None:
    crisislog.append_entry(
        incident=claim.incident,
        kind=FactLogKind.CLAIM,
        actor=actor,
        text=text or claim.text,
        category=LogCategory.INFORMATION,
        data={"claim": claim.pk, "action": action, **data},
    )


EARLIEST_SEEN = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC)


def _clean(claim: Claim) -> None:
    claim.text = (claim.text or "").strip()
    if not claim.text:
        raise ValidationError({"text": _("Quote or summarise what is circulating.")})
    if claim.first_seen_at and claim.first_seen_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"first_seen_at": _("A claim cannot be first seen in the future.")})
    if claim.first_seen_at and claim.first_seen_at < EARLIEST_SEEN:
        # A typo (0850 for 2025), and dates that far back have no offset a client can read.
        raise ValidationError({"first_seen_at": _("A claim cannot be first seen before 1990.")})
    claim.full_clean(exclude=["incident", "created_by", "status_changed_by"])


def _arm_unanswered(claim: Claim) -> None:
    due = claim.first_seen_at + cadence.claim_unanswered_after(claim.incident.cell)
    reminders.arm(kind=ReminderKind.CLAIM_UNANSWERED, target=claim, incident=claim.incident, due_at=due)


@transaction.atomic
def claim_create(*, actor, incident: Incident, text: str, **fields) -> Claim:
    require_member(actor, incident)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be written.") for name in sorted(unknown)})
    now = timezone.now()
    claim = Claim(incident=incident, text=text, created_by=actor, created_at=now, updated_at=now, **fields)
    if claim.first_seen_at is None:
        claim.first_seen_at = now
    _clean(claim)
    claim.save()
    _arm_unanswered(claim)
    log_claim(claim, actor, "registered", where=claim.where, reach=claim.estimated_reach)
    return claim


@transaction.atomic
def claim_update(*, actor, claim: Claim, **changes) -> Claim:
    require_member(actor, claim.incident)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    claim = Claim.objects.select_for_update().select_related("incident__cell").get(pk=claim.pk)
    diff = {}
    for field, value in changes.items():
        old = getattr(claim, field)
        if old != value:
            diff[field] = [_loggable(old), _loggable(value)]
            setattr(claim, field, value)
    if not diff:
        return claim
    _clean(claim)
    claim.updated_at = timezone.now()
    claim.save(update_fields=[*diff, "updated_at"])
    if "first_seen_at" in diff and claim.status == C:
        _arm_unanswered(claim)
    log_claim(claim, actor, "edited", changes=diff)
    return claim


def _loggable(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


@transaction.atomic
def claim_transition(
    *, actor, claim: Claim, to_status: str, note: str = "", expected_status: str | None = None
) -> Claim:
    """Move the claim along the register's workflow; settling it needs verified evidence."""
    if to_status not in ClaimStatus.values:
        raise ValidationError({"to": _("“%(to)s” is not a claim status.") % {"to": to_status}})
    membership = require_member(actor, claim.incident, Role.OBSERVER)
    current = STATUSES.current(claim.pk)
    from_status = expected_status or current
    if from_status != current:
        raise _conflict(current)
    move = STATUSES.move(ClaimStatus(from_status), ClaimStatus(to_status))
    needed = move.role if move else None
    if needed is None:
        allowed = ", ".join(str(s.label) for s in targets_from(from_status)) or "—"
        raise ValidationError(
            {
                "to": _("A claim that is %(from)s cannot become %(to)s. From %(from)s it can become: %(allowed)s.")
                % {"from": ClaimStatus(from_status).label, "to": ClaimStatus(to_status).label, "allowed": allowed}
            }
        )
    if not membership.has_role(needed):
        raise PermissionDenied(_("Changing a claim's status needs the %(role)s role.") % {"role": needed.label})
    if to_status in EVIDENCE:
        _require_evidence(claim, ClaimStatus(to_status))
    now = timezone.now()
    moved = STATUSES.apply(
        claim.pk,
        source=from_status,
        target=to_status,
        status_note=(note or "").strip(),
        status_changed_at=now,
        status_changed_by=actor,
        updated_at=now,
    )
    if not moved:
        raise _conflict(STATUSES.current(claim.pk))
    claim = Claim.objects.select_related("incident__cell").get(pk=claim.pk)
    if to_status == C:
        _arm_unanswered(claim)
    else:
        reminders.disarm(kind=ReminderKind.CLAIM_UNANSWERED, target=claim)
    log_claim(claim, actor, "status", text=note, **{"from": from_status, "to": to_status})
    return claim


def _require_evidence(claim: Claim, to_status: ClaimStatus) -> None:
    relation = EVIDENCE[to_status]
    # Locked: a concurrent retraction of the evidence waits for this decision,
    # or this decision sees the retraction.
    evidence = Fact.objects.select_for_update().filter(
        claim_links__claim=claim, claim_links__relation=relation, status=FactStatus.VERIFIED
    )
    if not evidence.exists():
        message = {
            ClaimRelation.REFUTES: _(
                "Debunking a claim needs at least one verified fact that refutes it; link one first."
            ),
            ClaimRelation.CONFIRMS: _(
                "Confirming a claim needs at least one verified fact that confirms it; link one first."
            ),
        }[relation]
        raise ValidationError({"to": message})


def _conflict(current: str) -> Conflict:
    return Conflict(
        _("Someone changed this claim meanwhile: it is now %(status)s. Reload and decide again.")
        % {"status": ClaimStatus(current).label},
        current={"status": current},
    )


@transaction.atomic
def claim_link_fact(*, actor, claim: Claim, fact: Fact, relation: str) -> ClaimFact:
    require_member(actor, claim.incident)
    if relation not in ClaimRelation.values:
        raise ValidationError({"relation": _("Say whether the fact confirms or refutes the claim.")})
    if fact.incident_id != claim.incident_id:
        raise ValidationError({"fact": _("Link a fact of the same incident.")})
    link, created = ClaimFact.objects.get_or_create(
        claim=claim, fact=fact, defaults={"relation": relation, "added_by": actor}
    )
    if not created:
        if link.relation != relation:
            raise ValidationError(
                {"relation": _("This fact is already linked as one that %(rel)s the claim.") % {"rel": link.relation}}
            )
        return link
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    log_claim(claim, actor, "fact_linked", text=fact.text, fact=fact.pk, relation=relation)
    return link
