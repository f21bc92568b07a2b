"""Writes on incidents and their crisis log. Each function is one transaction;
side effects (e-mail, broadcasts) are queued with transaction.on_commit."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cells.access import require_role
from cells.models import Cell, Membership, Role
from core.errors import Conflict

from . import crisislog, signals, workflow
from .models import Incident, Level, LogCategory, LogEntry, LogKind

EDITABLE_FIELDS = ("title", "description", "crisis_type", "severity", "owner", "is_exercise")
# Levels whose arrival every cell member must hear about at once, even off-screen.
NOTIFIED_LEVELS = {Level.ALERT, Level.CRISIS}
# The same limits as the forms and serializers, for callers that bypass them.
REASON_MAX_LENGTH = 2000
LOG_TEXT_MAX_LENGTH = LogEntry._meta.get_field("text").max_length
SOURCE_URL_MAX_LENGTH = LogEntry._meta.get_field("source_url").max_length


def _membership(user: User, cell: Cell) -> Membership | None:
    return Membership.objects.select_related("cell").filter(user=user, cell=cell).first()


def _check_owner(owner: User | None, cell: Cell) -> None:
    if owner is not None and not Membership.objects.filter(user=owner, cell=cell).exists():
        raise ValidationError({"owner": _("The owner must be a member of the cell %(cell)s.") % {"cell": cell}})


def _full_clean(incident: Incident) -> None:
    # The model's own validation (lengths, choices, severity range) for callers
    # that bypass forms and serializers, e.g. management commands.
    errors = {}
    try:
        incident.full_clean(exclude=["cell", "created_by", "owner"])
    except ValidationError as error:
        errors = error.message_dict
    # A TextField's max_length is only a form hint: Django does not validate it.
    for field in ("description",):
        limit = Incident._meta.get_field(field).max_length
        if field not in errors and len(getattr(incident, field) or "") > limit:
            errors[field] = [_("At most %(max)s characters.") % {"max": limit}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def incident_create(
    *,
    actor: User,
    cell: Cell,
    title: str,
    description: str = "",
    crisis_type: str = "other",
    severity: int = 3,
    owner: User | None = None,
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
def incident_update(*, actor: User, incident: Incident, **changes) -> Incident:
    """Change some of EDITABLE_FIELDS; the crisis log records the diff.

    Values equal to the stored ones are no change (no log entry); a call that
    names no field at all is refused, so that an empty PATCH does not pass for
    a successful edit.
    """
    # Who asks comes first: a non-member learns nothing (404), not even that the input was wrong.
    # Superusers edit from the Django admin, which is not scoped by cell.
    if not actor.is_superuser:
        require_role(_membership(actor, incident.cell), Role.MEMBER)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    if not changes:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("Nothing to change: give at least one of %(fields)s.")
                % {"fields": ", ".join(EDITABLE_FIELDS)}
            }
        )
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


class CloseBlocked(Conflict):
    """Things are still open in the incident (HTTP 409, listing them): settle them, or close
    anyway with a reason (`force_reason`), which the crisis log keeps with what was open."""

    def __init__(self, groups, *, level: str):
        self.groups = groups
        super().__init__(
            _("Still open: %(open)s. Settle them first, or close anyway and say why.")
            % {"open": "; ".join(str(group.sentence) for group in groups)},
            current={"level": level, "open": [group.as_dict() for group in groups]},
        )


def _closing_override(incident: Incident, level: str, force_reason: str) -> dict | None:
    """None when nothing is left open; what was open and why close anyway, for the crisis log;
    CloseBlocked when something is open and no reason was given."""
    from . import attention

    still_open = attention.open_at_close(incident)
    if not still_open:
        return None
    force_reason = (force_reason or "").strip()
    if not force_reason:
        raise CloseBlocked(still_open, level=level)
    if len(force_reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"force_reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX_LENGTH}}
        )
    return {"reason": force_reason, "open": {group.concern.key: len(group.items) for group in still_open}}


@transaction.atomic
def incident_transition(
    *,
    actor: User,
    incident: Incident,
    to_level: str,
    reason: str,
    expected_level: str | None = None,
    force_reason: str = "",
) -> Incident:
    """Move the incident to another level, if the workflow and the actor's role allow it.

    `expected_level` is the level the actor saw: if someone moved the incident
    meanwhile, the actor gets a Conflict rather than acting on a stale screen.
    Closing with things still open (incidents.attention) is refused with
    CloseBlocked, unless `force_reason` says why; the log entry then records it.
    """
    # No move of the table is open to weaker roles: an observer is refused (403)
    # whatever the input, a non-member gets 404.
    membership = require_role(_membership(actor, incident.cell), workflow.WEAKEST_ROLE)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the level changes: the reason is kept in the crisis log.")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX_LENGTH}
    if to_level not in Level.values:
        errors["to"] = _("“%(to)s” is not a level.") % {"to": to_level}
    if expected_level is not None and expected_level not in Level.values:
        errors["expected_level"] = _("“%(to)s” is not a level.") % {"to": expected_level}
    if errors:
        raise ValidationError(errors)
    current = workflow.LEVELS.current(incident.pk)
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
    forced = _closing_override(incident, from_level, force_reason) if to_level == Level.CLOSED else None
    now = timezone.now()
    # The guard: only one of two simultaneous moves finds the level it expects.
    if not workflow.LEVELS.apply(incident.pk, source=from_level, target=to_level, level_changed_at=now, updated_at=now):
        raise _level_conflict(incident, workflow.LEVELS.current(incident.pk))
    incident.refresh_from_db()
    entry = crisislog.append_entry(
        incident=incident,
        kind=LogKind.LEVEL_CHANGED,
        actor=actor,
        text=reason,
        data={"from": from_level, "to": to_level, **({"forced": forced} if forced else {})},
    )
    # The apps above react in the same transaction (reminders: review deadlines follow the level).
    signals.level_changed.send(
        sender=Incident, incident=incident, entry=entry, actor=actor, from_level=from_level, to_level=to_level
    )
    from .tasks import anchor_crisis_log

    # Every level change is anchored outside the database at once (incidents/anchoring.py).
    transaction.on_commit(lambda: anchor_crisis_log.delay(incident.pk))
    if to_level in NOTIFIED_LEVELS:
        # The cell is told by the notifications app (the bell and the e-mails, one pipeline).
        signals.escalated.send(sender=Incident, incident=incident, entry=entry, actor=actor)
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
    actor: User,
    incident: Incident,
    text: str,
    category: str = LogCategory.INFORMATION,
    source_url: str = "",
    corrects: LogEntry | None = None,
    membership: Membership | None = None,
) -> LogEntry:
    """`membership`: the actor's in the incident's cell, when the caller has just read it
    (the API's fetch-and-authorise); otherwise it is read here."""
    if membership is None or membership.user_id != actor.pk or membership.cell_id != incident.cell_id:
        membership = _membership(actor, incident.cell)
    require_role(membership, Role.MEMBER)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write what happened.")
    elif len(text) > LOG_TEXT_MAX_LENGTH:
        errors["text"] = _("Keep an entry under %(max)s characters; add another one for the rest.") % {
            "max": LOG_TEXT_MAX_LENGTH
        }
    if category not in LogCategory.values:
        errors["category"] = _("“%(value)s” is not a category.") % {"value": category}
    source_url = (source_url or "").strip()
    if source_url:
        try:
            if len(source_url) > SOURCE_URL_MAX_LENGTH:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            errors["source_url"] = _("Give a web address (http or https), of at most %(max)s characters.") % {
                "max": SOURCE_URL_MAX_LENGTH
            }
    if corrects is not None and corrects.incident_id != incident.pk:
        errors["corrects"] = _("You can only correct an entry of the same incident.")
    if errors:
        raise ValidationError(errors)
    return crisislog.append_entry(
        incident=incident,
        kind=LogKind.CORRECTION if corrects else LogKind.NOTE,
        actor=actor,
        text=text,
        category=category,
        source_url=source_url,
        corrects=corrects,
    )


@transaction.atomic
def log_entry_pin(*, actor: User, incident: Incident, entry: LogEntry, pinned: bool = True) -> LogEntry:
    """Pin an entry as a key decision of the incident (or unpin it).

    The log stays append-only: the pin is a new entry that names the pinned one,
    so who pinned what, and when, is kept like everything else. Pinning an entry
    already pinned (or unpinning one that is not) is refused: someone did it first.
    """
    require_role(_membership(actor, incident.cell), Role.MEMBER)
    if entry.incident_id != incident.pk:
        raise ValidationError({"entry": _("You can only pin an entry of the same incident.")})
    if entry.kind == LogKind.PIN:
        raise ValidationError({"entry": _("A pin is not a decision: pin the entry it names.")})
    # The incident's row lock orders two pins of the same entry (as appends are ordered).
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    from .selectors import pinned_entry_ids

    if (entry.pk in pinned_entry_ids(incident)) == pinned:
        message = (
            _("Entry #%(seq)s is already pinned as a key decision.")
            if pinned
            else _("Entry #%(seq)s is not pinned as a key decision.")
        )
        raise Conflict(message % {"seq": entry.seq}, current={"pinned": pinned})
    return crisislog.append_entry(
        incident=incident,
        kind=LogKind.PIN,
        actor=actor,
        data={"entry": entry.pk, "seq": entry.seq, "pinned": bool(pinned)},
    )
