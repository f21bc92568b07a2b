"""Calling the cell in: activation (automatic once, or by a manager), acknowledgements, and
the reminders of the unacknowledged. Writes inside the caller's transaction or their own."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict
from incidents.models import Incident, Level

from . import integration
from .models import Acknowledgement, AckStatus, Activation, DigestSchedule, PlaybookLogKind, Preparedness

MESSAGE_MAX = 2000
NOTE_MAX = 500
# Seriousness, to compare a level with the cell's activation level.
_RANK = {Level.WATCH: 0, Level.ALERT: 1, Level.CRISIS: 2}


def settings_for(cell_id: int) -> Preparedness:
    return Preparedness.objects.filter(cell_id=cell_id).first() or Preparedness(cell_id=cell_id)


PREPAREDNESS_FIELDS = (
    "activation_level",
    "ack_remind_minutes",
    "task_remind_minutes",
    "escalate_after",
    "digest_hours",
)


@transaction.atomic
def preparedness_save(*, actor, cell, **fields) -> Preparedness:
    """Change the cell's activation level and cadences (managers); the page and the API both come here."""
    require_role(membership_for(actor, cell.pk), Role.MANAGER)
    prefs, _created = Preparedness.objects.select_for_update().get_or_create(cell=cell)
    for name, value in fields.items():
        if name not in PREPAREDNESS_FIELDS:
            raise ValidationError({name: _("Not a preparedness setting.")})
        setattr(prefs, name, value)
    prefs.full_clean(exclude=["cell"])
    prefs.save()
    return prefs


def level_reached(*, incident: Incident, level: str, actor) -> Activation | None:
    """Reaching the cell's activation level (crisis, or alert per setting) calls the cell in, once per incident."""
    prefs = settings_for(incident.cell_id)
    if level not in _RANK or _RANK[level] < _RANK[prefs.activation_level]:
        return None
    try:
        with transaction.atomic():  # the unique constraint decides "once" between racing transactions
            activation = Activation.objects.create(incident=incident, level=level, manual=False, started_by=None)
    except IntegrityError:
        return None
    _start(activation, incident, actor, prefs)
    return activation


@transaction.atomic
def activate_by_hand(*, actor, incident: Incident, message: str) -> Activation:
    require_role(membership_for(actor, incident.cell_id), Role.MANAGER)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Say why the cell is called in: every member reads it.")})
    if len(message) > MESSAGE_MAX:
        raise ValidationError({"message": _("At most %(max)s characters.") % {"max": MESSAGE_MAX}})
    incident = Incident.objects.select_related("cell").get(pk=incident.pk)
    activation = Activation.objects.create(
        incident=incident, level=incident.level, manual=True, message=message, started_by=actor
    )
    _start(activation, incident, actor, settings_for(incident.cell_id))
    return activation


def _start(activation: Activation, incident: Incident, actor, prefs: Preparedness) -> None:
    members = list(integration.cell_members(incident.cell))
    remind_at = timezone.now() + datetime.timedelta(minutes=prefs.ack_remind_minutes)
    Acknowledgement.objects.bulk_create(
        Acknowledgement(activation=activation, user=user, remind_at=remind_at) for user in members
    )
    integration.notify_activation(activation, incident, members)
    integration.log(
        incident=incident,
        kind=PlaybookLogKind.ACTIVATION,
        actor=actor,
        action="activated",
        text=activation.message,
        activation=activation.pk,
        level=activation.level,
        manual=activation.manual,
        members=len(members),
    )
    # The first digest of open tasks goes out at once; then every few hours (tasks.process_due_digests).
    DigestSchedule.objects.update_or_create(incident=incident, defaults={"next_at": timezone.now()})


def ack_url(activation: Activation) -> str:
    return reverse("playbooks:ack", args=[activation.incident_id, activation.pk])


@transaction.atomic
def acknowledge(*, actor, activation: Activation, answer: str, note: str = "") -> Acknowledgement:
    """ "I'm on it" or "unavailable" (and a change of mind later). Any member of the cell; a member
    who joined after the activation answers too."""
    require_role(membership_for(actor, activation.incident.cell_id), Role.OBSERVER)
    if answer not in (AckStatus.ON_IT, AckStatus.UNAVAILABLE):
        raise ValidationError({"answer": _("Answer “on_it” or “unavailable”.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": NOTE_MAX}})
    ack, _created = Acknowledgement.objects.get_or_create(activation=activation, user=actor)
    if ack.status == answer:
        raise Conflict(_("Your answer is already recorded."), current={"status": ack.status})
    moved = Acknowledgement.objects.filter(pk=ack.pk, status=ack.status).update(
        status=answer, note=note, answered_at=timezone.now(), remind_at=None
    )
    if not moved:
        raise Conflict(_("Your answer changed meanwhile (another tab?). Reload."), current={"status": ack.status})
    ack.refresh_from_db()
    integration.log(
        incident=activation.incident,
        kind=PlaybookLogKind.ACTIVATION,
        actor=actor,
        action="acknowledged",
        text=note,
        activation=activation.pk,
        answer=answer,
    )
    return ack


# --- Reminders of the unacknowledged -------------------------------------------------------------


def due_acks(now=None, limit: int = 100) -> list[tuple[int, datetime.datetime]]:
    now = now or timezone.now()
    return list(
        Acknowledgement.objects.filter(status=AckStatus.PENDING, remind_at__lte=now)
        .order_by("remind_at", "id")
        .values_list("pk", "remind_at")[:limit]
    )


@transaction.atomic
def remind_ack(*, ack_id: int, due_at) -> bool:
    """Remind one member who has not answered, if still due as the caller saw it (claimed with a
    conditional update: a second run, a second worker or a redelivery finds it moved). After
    `escalate_after` reminders the managers are told too."""
    now = timezone.now()
    ack = (
        Acknowledgement.objects.select_related("activation__incident__cell", "user")
        .filter(pk=ack_id, status=AckStatus.PENDING, remind_at=due_at, remind_at__lte=now)
        .first()
    )
    if ack is None:
        return False
    incident = ack.activation.incident
    if incident.level == Level.CLOSED:
        Acknowledgement.objects.filter(pk=ack.pk, remind_at=due_at).update(remind_at=None)
        return False
    prefs = settings_for(incident.cell_id)
    claimed = Acknowledgement.objects.filter(pk=ack.pk, status=AckStatus.PENDING, remind_at=due_at).update(
        remind_at=now + datetime.timedelta(minutes=prefs.ack_remind_minutes), misses=F("misses") + 1
    )
    if not claimed:
        return False
    ack.misses += 1
    escalated = ack.misses > prefs.escalate_after
    integration.notify_ack_reminder(ack, incident, escalated=escalated)
    integration.log(
        incident=incident,
        kind=PlaybookLogKind.ACTIVATION,
        actor=None,
        action="ack_escalated" if escalated else "ack_reminded",
        activation=ack.activation_id,
        member=ack.user_id,
        occurrence=ack.misses,
    )
    return True
