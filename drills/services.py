"""Scenarios, and the life of a drill: start, pause, resume, end (guarded), and the delivery of injects.

Delivery claims an inject with a conditional update (pending, due as the job saw it) in the same
transaction as what the inject creates: a worker killed mid-way rolls both back, and the next
beat tick delivers it; two workers never both deliver it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Cell, Role
from core.errors import Conflict
from core.transitions import Move, StateMachine
from incidents import services as incidents
from playbooks import integration, yamlio

from . import schema, scorecard
from .models import Drill, DrillLogKind, DrillNotice, DrillStatus, Inject, InjectKind, InjectStatus, Scenario

LEAD_ROLE = Role.MANAGER
D = DrillStatus
DRILL_MOVES = StateMachine(
    model=Drill,
    field="status",
    states=DrillStatus.values,
    moves=[
        Move(D.RUNNING, D.PAUSED, action="pause"),
        Move(D.PAUSED, D.RUNNING, action="resume"),
        Move(D.RUNNING, D.ENDED, action="end"),
        Move(D.PAUSED, D.ENDED, action="end"),
    ],
)


def _problems_error(problems) -> ValidationError:
    return ValidationError({problem.where or "scenario": problem.message for problem in problems})


@transaction.atomic
def scenario_save(*, actor, cell: Cell, content: dict) -> Scenario:
    require_role(membership_for(actor, cell.pk), LEAD_ROLE)
    cleaned, problems = schema.check_scenario(content)
    if problems:
        raise _problems_error(problems)
    return Scenario.objects.create(cell=cell, created_by=actor, **cleaned)


@transaction.atomic
def scenarios_import(*, actor, cell: Cell, text: str) -> list[Scenario]:
    """All or nothing, every problem on its line (yamlio.ImportRefused)."""
    require_role(membership_for(actor, cell.pk), LEAD_ROLE)
    document, reader = yamlio.read(text)
    checker = schema.ScenarioChecker()
    if not isinstance(document, dict) or set(document) != {"scenarios"} or not isinstance(document["scenarios"], list):
        raise yamlio.ImportRefused(
            [
                yamlio.LineError(
                    1, "scenarios", _("The file must have one key, “scenarios”, holding a list of scenarios.")
                )
            ]
        )
    cleaned = [checker.scenario(raw, ("scenarios", i)) for i, raw in enumerate(document["scenarios"])]
    if not cleaned:
        checker.fail(("scenarios",), _("The list of scenarios is empty."))
    if checker.problems:
        errors = [yamlio.LineError(reader.line_of(p.path), p.where, p.message) for p in checker.problems]
        raise yamlio.ImportRefused(sorted(errors, key=lambda e: (e.line or 0, e.field)))
    return [Scenario.objects.create(cell=cell, created_by=actor, **item) for item in cleaned]


@transaction.atomic
def drill_start(*, actor, scenario: Scenario) -> Drill:
    """An exercise incident, the drill, and its injects due from now."""
    require_role(membership_for(actor, scenario.cell_id), LEAD_ROLE)
    incident = incidents.incident_create(
        actor=actor,
        cell=scenario.cell,
        title=f"EXERCICE / EXERCISE — {scenario.name}"[:200],
        description=scenario.description,
        crisis_type=scenario.crisis_type,
        is_exercise=True,
        owner=actor,
    )
    now = timezone.now()
    drill = Drill.objects.create(
        cell=scenario.cell, scenario=scenario, incident=incident, leader=actor, started_at=now, resumed_at=now
    )
    Inject.objects.bulk_create(
        Inject(
            drill=drill,
            position=index,
            offset=item["at"],
            kind=item["kind"],
            text=item["text"],
            params={name: item[name] for name in sorted(schema.WAVE_FIELDS) if name in item},
            due_at=now + datetime.timedelta(seconds=item["at"]),
        )
        for index, item in enumerate(scenario.injects)
    )
    _log(drill, actor, "started", scenario=scenario.pk, injects=len(scenario.injects))
    return drill


def _log(drill: Drill, actor, action: str, text: str = "", **data):
    return integration.log(
        incident=drill.incident, kind=DrillLogKind.DRILL, actor=actor, action=action, text=text, drill=drill.pk, **data
    )


def _notify_inject(inject: Inject, incident) -> None:
    """A scripted question from management, as the cell would receive it (marked as an exercise),
    in each reader's language (wording registered in drills.registrations)."""
    integration.notify(
        users=integration.cell_members(incident.cell),
        incident=incident,
        kind=DrillNotice.DRILL,
        wording="drills.inject",
        params={"incident": incident.title, "text": inject.text},
        link=reverse("incidents:detail", args=[incident.pk]),
        data={"inject": inject.pk},
        dedupe_key=f"inject:{inject.pk}",
    )


def _lead(actor, drill: Drill) -> None:
    membership = require_role(membership_for(actor, drill.cell_id), Role.MEMBER)
    if drill.leader_id != actor.pk and not membership.has_role(LEAD_ROLE):
        require_role(membership, LEAD_ROLE)


def _move(actor, drill: Drill, action: str, **fields) -> Drill:
    sources, target, _role = DRILL_MOVES.action(action)
    current = DRILL_MOVES.current(drill.pk)
    if current not in sources or not DRILL_MOVES.apply(drill.pk, source=current, target=target, **fields):
        raise Conflict(
            _("The drill is %(status)s: it cannot be %(action)s.")
            % {"status": DrillStatus(current).label, "action": action},
            current={"status": current},
        )
    drill.refresh_from_db()
    return drill


@transaction.atomic
def drill_pause(*, actor, drill: Drill) -> Drill:
    _lead(actor, drill)
    now = timezone.now()
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    elapsed = drill.elapsed + (now - drill.resumed_at).total_seconds()
    drill = _move(actor, drill, "pause", elapsed=elapsed)
    # Nothing is due while paused.
    Inject.objects.filter(drill=drill, status=InjectStatus.PENDING).update(due_at=None)
    _log(drill, actor, "paused", elapsed=round(elapsed))
    return drill


@transaction.atomic
def drill_resume(*, actor, drill: Drill) -> Drill:
    _lead(actor, drill)
    now = timezone.now()
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    drill = _move(actor, drill, "resume", resumed_at=now)
    pending = list(Inject.objects.filter(drill=drill, status=InjectStatus.PENDING))
    for inject in pending:
        inject.due_at = now + datetime.timedelta(seconds=max(inject.offset - drill.elapsed, 0))
    Inject.objects.bulk_update(pending, ["due_at"])
    _log(drill, actor, "resumed", elapsed=round(drill.elapsed))
    return drill


@transaction.atomic
def drill_end(*, actor, drill: Drill) -> Drill:
    _lead(actor, drill)
    now = timezone.now()
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    was_running = drill.status == DrillStatus.RUNNING
    elapsed = drill.elapsed + ((now - drill.resumed_at).total_seconds() if was_running else 0)
    drill = _move(actor, drill, "end", ended_at=now, elapsed=elapsed)
    Inject.objects.filter(drill=drill, status=InjectStatus.PENDING).update(status=InjectStatus.SKIPPED, due_at=None)
    card = scorecard.compute(drill)
    Drill.objects.filter(pk=drill.pk).update(scorecard=card)
    drill.scorecard = card
    _log(drill, actor, "ended", elapsed=round(elapsed))
    return drill


# --- Delivery -------------------------------------------------------------------------------------


def due(now=None, limit: int = 100) -> list[tuple[int, datetime.datetime]]:
    now = now or timezone.now()
    return list(
        Inject.objects.filter(status=InjectStatus.PENDING, due_at__lte=now, drill__status=DrillStatus.RUNNING)
        .order_by("due_at", "id")
        .values_list("pk", "due_at")[:limit]
    )


@transaction.atomic
def deliver(*, inject_id: int, due_at) -> bool:
    """Deliver one inject if still pending and due as the caller saw it; True if this call delivered it."""
    now = timezone.now()
    claimed = Inject.objects.filter(
        pk=inject_id, status=InjectStatus.PENDING, due_at=due_at, due_at__lte=now, drill__status=DrillStatus.RUNNING
    ).update(status=InjectStatus.DELIVERED, delivered_at=now)
    if not claimed:
        return False
    inject = Inject.objects.select_related("drill__incident__cell", "drill__leader").get(pk=inject_id)
    drill, incident = inject.drill, inject.drill.incident
    result = {}
    if inject.kind == InjectKind.CLAIM:
        from facts import claims

        claim = claims.claim_create(actor=drill.leader, incident=incident, text=inject.text)
        result = {"claim": claim.pk}
    elif inject.kind == InjectKind.MENTION:
        from . import mentions

        result = {"wave": mentions.deliver_wave(drill=drill, inject=inject, now=now)}
    entry = _log(
        drill,
        None,
        "inject",
        text=inject.text,
        inject=inject.pk,
        position=inject.position,
        inject_kind=inject.kind,
        late_ms=round((now - due_at).total_seconds() * 1000),
        **result,
    )
    if inject.kind == InjectKind.QUESTION:
        _notify_inject(inject, incident)
    for signal in result.get("wave", {}).get("signals", []):
        _log(drill, None, "signal", inject=inject.pk, **signal)
    Inject.objects.filter(pk=inject.pk).update(result={**result, "entry": entry.pk, "seq": entry.seq})
    return True


def drill_for_user(user, drill_id, minimum: Role = Role.OBSERVER) -> tuple[Drill, object]:
    from django.http import Http404

    drill = Drill.objects.select_related("scenario", "incident", "leader").filter(pk=drill_id).first()
    membership = membership_for(user, drill.cell_id) if drill else None
    if drill is None or membership is None:
        raise Http404(_("No such drill."))
    return drill, require_role(membership, minimum)
