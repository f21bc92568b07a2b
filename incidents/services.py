"""Writes on incidents and their crisis log. Each function is one transaction;
side effects (e-mail, broadcasts) are queued with transaction.on_commit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import require_role
from cells.models import Cell, Membership, Role
from crisiscell.errors import Conflict

from . import crisislog, workflow
from .models import Incident, Level, LogCategory, LogEntry, LogKind

EDITABLE_FIELDS = ("title", "description", "crisis_type", "severity", "owner", "is_exercise")
# Levels whose arrival every cell member must hear about at once, even off-screen.
NOTIFIED_LEVELS = {Level.ALERT, Level.CRISIS}


def _membership(user, cell: Cell) -> Membership | None:
    return Membership.objects.select_related("cell").filter(user=user, cell=cell).first()


def _check_owner(owner, cell: Cell) -> None:
    if owner is not None and not Membership.objects.filter(user=owner, cell=cell).exists():
        raise ValidationError({"owner": _("The owner must be a member of the cell %(cell)s.") % {"cell": cell}})


def _full_clean(incident: Incident) -> None:
    # The model's own validation (lengths, choices, severity range) for callers
    # that bypass forms and serializers, e.g. management commands.
    incident.full_clean(exclude=["cell", "created_by", "owner"])


@transaction.atomic
def incident_create(
    *,
    actor,
    cell: Cell,
    title: str,
    description: str = "",
    crisis_type: str = "other",
    severity: int = 3,
    owner=None,
    is_exercise: bool = False,
) -> Incident:
    require_role(_membership(actor, cell), Role.MEMBER)
    _check_owner(owner, cell)
    now = timezone.now()
    incident = Incident(
        cell=cell,
        title=title,
        description=description,
        crisis_type=crisis_type,
        severity=severity,
        owner=owner,
        is_exercise=is_exercise,
        created_by=actor,
        created_at=now,
        updated_at=now,
        level_changed_at=now,
    )
    _full_clean(incident)
    incident.save()
    crisislog.append_entry(
        incident=incident,
        kind=LogKind.CREATED,
        actor=actor,
        text=title,
        data={"level": incident.level, "severity": incident.severity, "crisis_type": incident.crisis_type},
    )
    return incident


def _loggable(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def incident_update(*, actor, incident: Incident, **changes) -> Incident:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    require_role(_membership(actor, incident.cell), Role.MEMBER)
    if "owner" in changes:
        _check_owner(changes["owner"], incident.cell)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    diff = {}
    for field, value in changes.items():
        old = getattr(incident, field)
        if old != value:
            diff[field] = [_loggable(old), _loggable(value)]
            setattr(incident, field, value)
    if not diff:
        return incident
    _full_clean(incident)
    incident.updated_at = timezone.now()
    incident.save(update_fields=[*diff, "updated_at"])
    crisislog.append_entry(incident=incident, kind=LogKind.EDITED, actor=actor, data={"changes": diff})
    return incident


class TransitionRefused(ValidationError):
    """The move is not part of the workflow from the current level (HTTP 400)."""


@transaction.atomic
def incident_transition(
    *, actor, incident: Incident, to_level: str, reason: str, expected_level: str | None = None
) -> Incident:
    """Move the incident to another level, if the workflow and the actor's role allow it.

    `expected_level` is the level the actor saw: if someone moved the incident
    meanwhile, the actor gets a Conflict rather than acting on a stale screen.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the level changes: the reason is kept in the crisis log.")})
    if to_level not in Level.values:
        raise ValidationError({"to": _("“%(to)s” is not a level.") % {"to": to_level}})
    membership = require_role(_membership(actor, incident.cell), Role.OBSERVER)
    current = Incident.objects.values_list("level", flat=True).get(pk=incident.pk)
    from_level = expected_level or current
    if from_level != current:
        raise _level_conflict(incident, current)
    needed = workflow.required_role(from_level, to_level)
    if needed is None:
        allowed = ", ".join(str(Level(t).label) for t in workflow.targets_from(from_level)) or "—"
        raise TransitionRefused(
            {
                "to": _("An incident at level %(from)s cannot go to %(to)s. From %(from)s it can go to: %(allowed)s.")
                % {"from": Level(from_level).label, "to": Level(to_level).label, "allowed": allowed}
            }
        )
    if not membership.has_role(needed):
        raise PermissionDenied(
            _("Moving from %(from)s to %(to)s needs the %(role)s role.")
            % {"from": Level(from_level).label, "to": Level(to_level).label, "role": needed.label}
        )
    now = timezone.now()
    # The guard: only one of two simultaneous moves finds the level it expects.
    moved = Incident.objects.filter(pk=incident.pk, level=from_level).update(
        level=to_level, level_changed_at=now, updated_at=now
    )
    if not moved:
        raise _level_conflict(incident, Incident.objects.values_list("level", flat=True).get(pk=incident.pk))
    incident.refresh_from_db()
    entry = crisislog.append_entry(
        incident=incident,
        kind=LogKind.LEVEL_CHANGED,
        actor=actor,
        text=reason,
        data={"from": from_level, "to": to_level},
    )
    if to_level in NOTIFIED_LEVELS:
        from .tasks import notify_level_change

        transaction.on_commit(lambda: notify_level_change.delay(entry.pk))
    return incident


def _level_conflict(incident: Incident, current: str) -> Conflict:
    return Conflict(
        _("Someone changed the level meanwhile: the incident is now at %(level)s. Reload and decide again.")
        % {"level": Level(current).label},
        current={"level": current},
    )


@transaction.atomic
def log_entry_add(
    *,
    actor,
    incident: Incident,
    text: str,
    category: str = LogCategory.INFORMATION,
    source_url: str = "",
    corrects: LogEntry | None = None,
) -> LogEntry:
    require_role(_membership(actor, incident.cell), Role.MEMBER)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what happened.")})
    if corrects is not None and corrects.incident_id != incident.pk:
        raise ValidationError({"corrects": _("You can only correct an entry of the same incident.")})
    return crisislog.append_entry(
        incident=incident,
        kind=LogKind.CORRECTION if corrects else LogKind.NOTE,
        actor=actor,
        text=text,
        category=category,
        source_url=source_url,
        corrects=corrects,
    )
