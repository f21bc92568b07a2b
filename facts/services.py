"""Writes on facts. Each function is one transaction and writes one crisis-log entry.

A fact's status moves unverified -> verified | refuted, then verified ->
retracted; each move is a guarded UPDATE on the status the actor saw, so two
people acting at once cannot both win. Refuting or retracting a fact flags, in
the same transaction, every standing statement that cites it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cells.access import membership_for, require_role
from cells.models import Membership, Role
from core.errors import Conflict, StaleRevision
from core.transitions import Move, StateMachine
from incidents import crisislog, locks
from incidents.models import Incident, LogCategory

from . import signals
from .models import Fact, FactLogKind, FactPolicy, FactSource, FactStatus, FactVersion, SourceKind

MAX_TEXT = 2000

# The status workflow, by action name; the roles are checked by each service (all members).
STATUSES = StateMachine(
    model=Fact,
    field="status",
    states=FactStatus,
    moves=[
        Move(FactStatus.UNVERIFIED, FactStatus.VERIFIED, action="verify"),
        Move(FactStatus.UNVERIFIED, FactStatus.REFUTED, action="refute"),
        Move(FactStatus.VERIFIED, FactStatus.RETRACTED, action="retract"),
    ],
)


def require_member(actor, incident: Incident, minimum: Role = Role.MEMBER) -> Membership:
    return require_role(membership_for(actor, incident.cell_id), minimum)


def fact_policy(cell) -> FactPolicy:
    return FactPolicy.objects.filter(cell=cell).first() or FactPolicy(cell=cell)


def log_fact(fact: Fact, actor, action: str, text: str = "", **data) -> None:
    crisislog.append_entry(
        incident=fact.incident,
        kind=FactLogKind.FACT,
        actor=actor,
        text=text or fact.text,
        category=LogCategory.INFORMATION,
        data={"fact": fact.pk, "action": action, **data},
    )


def _clean_text(text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("State the fact in a sentence.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Keep it under %(max)s characters.") % {"max": MAX_TEXT}})
    return text


def clean_source(source: dict) -> dict:
    kind = source.get("kind")
    reference = (source.get("reference") or "").strip()
    note = (source.get("note") or "").strip()
    if kind not in SourceKind.values:
        raise ValidationError({"sources": _("“%(kind)s” is not a kind of source.") % {"kind": kind}})
    if not reference:
        raise ValidationError({"sources": _("Each source needs a reference: a link, a document, a person.")})
    if kind == SourceKind.URL:
        try:
            URLValidator(schemes=["http", "https"])(reference)
        except ValidationError:
            raise ValidationError({"sources": _("“%(ref)s” is not a web link.") % {"ref": reference[:100]}}) from None
    if len(reference) > 1000 or len(note) > 1000:
        raise ValidationError({"sources": _("Keep references and notes under 1000 characters.")})
    return {"kind": kind, "reference": reference, "note": note}


@transaction.atomic
def fact_create(*, actor, incident: Incident, text: str, sources: list[dict]) -> Fact:
    require_member(actor, incident)
    text = _clean_text(text)
    if not sources:
        raise ValidationError({"sources": _("Give at least one source: where does this come from?")})
    cleaned = [clean_source(source) for source in sources]
    now = timezone.now()
    fact = Fact.objects.create(incident=incident, text=text, created_by=actor, created_at=now, updated_at=now)
    FactVersion.objects.create(fact=fact, number=1, text=text, created_by=actor, created_at=now)
    FactSource.objects.bulk_create([FactSource(fact=fact, added_by=actor, added_at=now, **s) for s in cleaned])
    log_fact(fact, actor, "created", version=1, sources=len(cleaned))
    return fact


@transaction.atomic
def fact_edit(*, actor, fact: Fact, text: str, expected_revision: int, note: str = "") -> Fact:
    """A new text version. Only unverified facts change: statements rest on verified ones as they are."""
    require_member(actor, fact.incident)
    text = _clean_text(text)
    current = Fact.objects.values("status", "revision", "text").get(pk=fact.pk)
    if current["status"] != FactStatus.UNVERIFIED:
        raise Conflict(
            _(
                "Only an unverified fact can be edited; this one is %(status)s. "
                "Record a new fact instead (and retract this one if it was wrong)."
            )
            % {"status": FactStatus(current["status"]).label},
            current={"status": current["status"]},
        )
    if current["revision"] != expected_revision:
        raise _stale(fact)
    locks.check_free(actor=actor, obj=fact)
    if current["text"] == text:
        return Fact.objects.get(pk=fact.pk)
    now = timezone.now()
    changed = Fact.objects.filter(pk=fact.pk, revision=expected_revision, status=FactStatus.UNVERIFIED).update(
        text=text, version=F("version") + 1, revision=F("revision") + 1, updated_at=now
    )
    if not changed:
        raise _stale(fact)
    fact = Fact.objects.select_related("incident").get(pk=fact.pk)
    FactVersion.objects.create(
        fact=fact, number=fact.version, text=text, note=note[:300], created_by=actor, created_at=now
    )
    log_fact(fact, actor, "edited", version=fact.version, previous=current["text"])
    locks.release_after_save(actor=actor, obj=fact)
    return fact


def _stale(fact: Fact) -> StaleRevision:
    return StaleRevision(
        _("This fact changed since you loaded it. Reload it, then apply your change again."),
        current={"etag": Fact.objects.get(pk=fact.pk).etag},
    )


@transaction.atomic
def fact_add_source(*, actor, fact: Fact, kind: str, reference: str, note: str = "") -> FactSource:
    require_member(actor, fact.incident)
    cleaned = clean_source({"kind": kind, "reference": reference, "note": note})
    now = timezone.now()
    Fact.objects.filter(pk=fact.pk).update(revision=F("revision") + 1, updated_at=now)
    source = FactSource.objects.create(fact=fact, added_by=actor, added_at=now, **cleaned)
    log_fact(fact, actor, "source_added", text=cleaned["reference"], source=source.pk, source_kind=kind)
    return source


def _move(*, actor, fact: Fact, action: str, reason: str = "", **fields) -> Fact:
    """Guarded status change: only one of two simultaneous moves finds the status it expects."""
    sources, target, _role = STATUSES.action(action)
    current = STATUSES.current(fact.pk)
    if current not in sources:
        raise _status_conflict(action, current)
    if reason:
        fields["reason"] = reason
    now = timezone.now()
    if not STATUSES.apply(fact.pk, source=current, target=target, revision=F("revision") + 1, updated_at=now, **fields):
        raise _status_conflict(action, STATUSES.current(fact.pk))
    fact = Fact.objects.select_related("incident__cell", "created_by").get(pk=fact.pk)
    log_fact(fact, actor, action, text=reason, **{"from": current, "to": target})
    return fact


ACTION_LABELS = {"verify": _lazy("verify"), "refute": _lazy("refute"), "retract": _lazy("retract")}


def _status_conflict(action: str, current: str) -> Conflict:
    sources, _target, _role = STATUSES.action(action)
    return Conflict(
        _("Cannot %(action)s this fact: it is %(status)s, and only a fact that is %(needed)s can be. Reload it.")
        % {
            "action": ACTION_LABELS[action],
            "status": FactStatus(current).label,
            "needed": " / ".join(str(FactStatus(s).label) for s in sources),
        },
        current={"status": current},
    )


@transaction.atomic
def fact_verify(*, actor, fact: Fact) -> Fact:
    require_member(actor, fact.incident)
    if fact.created_by_id == actor.pk and fact_policy(fact.incident.cell).verifier_must_differ:
        raise PermissionDenied(
            _("Four-eyes rule of this cell: you recorded this fact, so someone else must verify it.")
        )
    return _move(actor=actor, fact=fact, action="verify", verified_by=actor, verified_at=timezone.now())


@transaction.atomic
def fact_refute(*, actor, fact: Fact, reason: str = "") -> Fact:
    require_member(actor, fact.incident)
    reason = (reason or "").strip()
    fact = _move(actor=actor, fact=fact, action="refute", reason=reason, closed_by=actor, closed_at=timezone.now())
    _flag_statements(fact, actor)
    return fact


@transaction.atomic
def fact_retract(*, actor, fact: Fact, reason: str) -> Fact:
    require_member(actor, fact.incident)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the fact is retracted: what new evidence came up?")})
    fact = _move(actor=actor, fact=fact, action="retract", reason=reason, closed_by=actor, closed_at=timezone.now())
    _flag_statements(fact, actor)
    return fact


def _flag_statements(fact: Fact, actor) -> None:
    # Statements build on facts, not the other way round: they subscribe (StatementsConfig.ready).
    signals.fact_discredited.send(sender=Fact, fact=fact, actor=actor)
