"""Writes on playbooks and tasks. Each public function is one transaction; what others
must hear of (live events, e-mails) leaves after commit (incidents.crisislog, notifications)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Cell, Membership, Role
from core.errors import Conflict
from core.transitions import Move, StateMachine
from incidents.models import Incident, Level

from . import integration, schema
from .assignment import Picker
from .models import (
    OPEN_TASK_STATUSES,
    IncidentPlaybook,
    LevelRun,
    Playbook,
    PlaybookLogKind,
    PlaybookVersion,
    RotaSlot,
    Task,
    TaskStatus,
)

# Who manages the preparedness of a cell (playbooks, rota, applying a level again).
MANAGE_ROLE = Role.MANAGER
# Who works the checklist.
WORK_ROLE = Role.MEMBER

S = TaskStatus
# The task workflow (core.transitions): each move named as the crisis log names it.
TASK_MOVES = StateMachine(
    model=Task,
    field="status",
    states=TaskStatus.values,
    moves=[
        Move(S.TODO, S.DOING, action="started"),
        Move(S.TODO, S.DONE, action="done"),
        Move(S.TODO, S.CANCELLED, action="cancelled"),
        Move(S.DOING, S.TODO, action="released"),
        Move(S.DOING, S.DONE, action="done"),
        Move(S.DOING, S.CANCELLED, action="cancelled"),
        Move(S.DONE, S.TODO, action="reopened"),
        Move(S.CANCELLED, S.TODO, action="reopened"),
    ],
)
# Moves the crisis log keeps (the issue: a task done or cancelled is in the log; reopening undoes that).
LOGGED_MOVES = {"done", "cancelled", "reopened"}


def _require(actor, cell_id: int, minimum: Role) -> Membership:
    return require_role(membership_for(actor, cell_id), minimum)


# --- Playbooks ---------------------------------------------------------------------------


def cell_usernames(cell_id: int) -> set[str]:
    return set(Membership.objects.filter(cell_id=cell_id).values_list("user__username", flat=True))


def _problems_error(problems) -> ValidationError:
    return ValidationError({problem.where or "content": problem.message for problem in problems})


@transaction.atomic
def playbook_save(*, actor, cell: Cell, content: dict, note: str = "") -> PlaybookVersion:
    """A new version of the cell's playbook for the content's crisis type (the playbook is
    created with its first version). Content identical to the current version is no new version."""
    _require(actor, cell.pk, MANAGE_ROLE)
    cleaned, problems = schema.check_playbook(content, usernames=cell_usernames(cell.pk))
    if problems:
        raise _problems_error(problems)
    return _save_version(actor=actor, cell=cell, cleaned=cleaned, note=note)


def require_manager(actor, cell_id: int) -> Membership:
    return _require(actor, cell_id, MANAGE_ROLE)


def save_cleaned(*, actor, cell: Cell, cleaned: dict, note: str = "") -> PlaybookVersion:
    """Inside the caller's transaction, with content already checked (playbooks.schema)."""
    return _save_version(actor=actor, cell=cell, cleaned=cleaned, note=note)


def _save_version(*, actor, cell: Cell, cleaned: dict, note: str = "") -> PlaybookVersion:
    playbook, _created = Playbook.objects.get_or_create(
        cell=cell, crisis_type=cleaned["crisis_type"], defaults={"name": cleaned["name"]}
    )
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    body = {"levels": cleaned["levels"]}
    current = playbook.versions.first()
    if current is not None and current.content == body and playbook.name == cleaned["name"]:
        return current
    Playbook.objects.filter(pk=playbook.pk).update(version_count=F("version_count") + 1, name=cleaned["name"])
    playbook.refresh_from_db()
    return PlaybookVersion.objects.create(
        playbook=playbook, number=playbook.version_count, content=body, note=(note or "")[:500], created_by=actor
    )


def current_version(cell_id: int, crisis_type: str) -> PlaybookVersion | None:
    return (
        PlaybookVersion.objects.filter(playbook__cell_id=cell_id, playbook__crisis_type=crisis_type)
        .select_related("playbook")
        .order_by("-number")
        .first()
    )


# --- Applying a level ----------------------------------------------------------------------


def _version_for(incident: Incident) -> PlaybookVersion | None:
    """The version the incident already follows, else the current one of its crisis type."""
    use = IncidentPlaybook.objects.select_related("version__playbook").filter(incident=incident).first()
    return use.version if use else current_version(incident.cell_id, incident.crisis_type)


def level_reached(*, incident: Incident, level: str, actor) -> LevelRun | None:
    """The incident reached `level`: its playbook's part for that level is created, once.

    Inside the transition's transaction. Round 1 of (incident, level) is unique in
    the database: a second arrival at the level (left and reached again, or two
    transactions racing) finds it taken and creates nothing.
    """
    if level not in schema.PLAYBOOK_LEVELS:
        return None
    version = _version_for(incident)
    if version is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the transition intact
            run = LevelRun.objects.create(incident=incident, level=level, round=1, version=version, requested_by=None)
    except IntegrityError:
        return None
    _instantiate(run, incident, actor)
    return run


@transaction.atomic
def level_apply(*, actor, incident: Incident, level: str, again: bool = False) -> LevelRun:
    """A manager applies a level's playbook part by hand: the first time (e.g. the level the
    incident was opened at), or `again` to create its tasks and drafts a further time."""
    _require(actor, incident.cell_id, MANAGE_ROLE)
    if level not in schema.PLAYBOOK_LEVELS:
        raise ValidationError(
            {
                "level": _("“%(value)s” is not a level of a playbook (watch, alert, crisis, recovery).")
                % {"value": level}
            }
        )
    # The incident's row lock orders two managers asking at once (the constraint would refuse the second anyway).
    incident = Incident.objects.select_for_update().select_related("cell").get(pk=incident.pk)
    version = _version_for(incident)
    if version is None:
        raise Conflict(
            _("The cell has no playbook for this crisis type yet."), current={"crisis_type": incident.crisis_type}
        )
    done = LevelRun.objects.filter(incident=incident, level=level).aggregate(last=Max("round"))["last"] or 0
    if done and not again:
        raise Conflict(
            _("The %(level)s tasks were already created. Ask for them again to create them a further time.")
            % {"level": Level(level).label},
            current={"level": level, "rounds": done},
        )
    try:
        with transaction.atomic():
            run = LevelRun.objects.create(
                incident=incident, level=level, round=done + 1, version=version, requested_by=actor
            )
    except IntegrityError:
        raise Conflict(_("Someone applied this level meanwhile."), current={"level": level}) from None
    _instantiate(run, incident, actor)
    return run


def _instantiate(run: LevelRun, incident: Incident, actor) -> None:
    """Create the run's tasks and drafts, pin the version, say so in the crisis log."""
    IncidentPlaybook.objects.get_or_create(incident=incident, defaults={"version": run.version})
    part = run.version.level(run.level)
    start = incident.level_changed_at if incident.level == run.level else timezone.now()
    picker = Picker(incident)
    offset = (Task.objects.filter(incident=incident).aggregate(last=Max("position"))["last"] or 0) + 1
    tasks = []
    for index, item in enumerate(part.get("tasks") or []):
        assignee = picker.pick(item)
        due = start + datetime.timedelta(minutes=item["due_minutes"]) if "due_minutes" in item else None
        tasks.append(
            Task(
                incident=incident,
                level=run.level,
                run=run,
                position=offset + index,
                title=item["title"],
                description=item.get("description", ""),
                role=item.get("role", ""),
                assignee=assignee,
                due_at=due,
                remind_at=due,
                created_by=actor,
            )
        )
    Task.objects.bulk_create(tasks)
    drafts = []
    writer = actor if actor is not None and _can_write(actor, incident) else None
    for item in part.get("statements") or []:
        if writer is not None:
            drafts.append(integration.create_draft(actor=writer, incident=incident, draft=item).pk)
    integration.log(
        incident=incident,
        kind=PlaybookLogKind.PLAYBOOK,
        actor=actor,
        action="applied",
        text=run.version.playbook.name,
        level=run.level,
        round=run.round,
        version=run.version.number,
        playbook=run.version.playbook_id,
        tasks=len(tasks),
        statements=drafts,
    )


def _can_write(actor, incident) -> bool:
    membership = membership_for(actor, incident.cell_id)
    return membership is not None and membership.has_role(Role.MEMBER)


# --- Tasks -----------------------------------------------------------------------------------


def _check_assignee(assignee, cell_id: int) -> None:
    if assignee is not None and not Membership.objects.filter(user=assignee, cell_id=cell_id).exists():
        raise ValidationError({"assignee": _("The assignee must be a member of the cell.")})


def _check_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what is to be done.")})
    if len(title) > 200:
        raise ValidationError({"title": _("At most %(max)s characters.") % {"max": 200}})
    return title


@transaction.atomic
def task_create(*, actor, incident: Incident, title: str, description: str = "", assignee=None, due_at=None) -> Task:
    """A task added by hand to the incident's checklist."""
    _require(actor, incident.cell_id, WORK_ROLE)
    title = _check_title(title)
    if len(description or "") > 5000:
        raise ValidationError({"description": _("At most %(max)s characters.") % {"max": 5000}})
    _check_assignee(assignee, incident.cell_id)
    # The row lock orders positions of two tasks added at once.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    last = Task.objects.filter(incident=incident).aggregate(last=Max("position"))["last"] or 0
    task = Task.objects.create(
        incident=incident,
        position=last + 1,
        title=title,
        description=(description or "").strip(),
        assignee=assignee,
        due_at=due_at,
        remind_at=due_at,
        created_by=actor,
    )
    integration.log_task(task, actor, "added", text=task.title)
    return task


def _stale(task: Task) -> Conflict:
    current = Task.objects.filter(pk=task.pk).values("status", "revision").first() or {}
    return Conflict(
        _("Someone changed this task meanwhile (it is now %(status)s). Reload and try again.")
        % {"status": TaskStatus(current.get("status", task.status)).label},
        current=current,
    )


@transaction.atomic
def task_update(*, actor, task: Task, expected_revision: int | None = None, **changes) -> Task:
    """Title, description, assignee or due time. A new assignee or due time re-arms the reminder."""
    _require(actor, task.incident.cell_id, WORK_ROLE)
    allowed = {"title", "description", "assignee", "due_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    if not changes:
        raise ValidationError({"non_field_errors": _("Nothing to change.")})
    if "title" in changes:
        changes["title"] = _check_title(changes["title"])
    if "description" in changes:
        changes["description"] = (changes["description"] or "").strip()
        if len(changes["description"]) > 5000:
            raise ValidationError({"description": _("At most %(max)s characters.") % {"max": 5000}})
    if "assignee" in changes:
        _check_assignee(changes["assignee"], task.incident.cell_id)
    revision = task.revision if expected_revision is None else expected_revision
    fields = {**changes, "revision": F("revision") + 1, "updated_at": timezone.now()}
    if {"assignee", "due_at"} & set(changes):
        due_at = changes.get("due_at", task.due_at)
        armed = due_at if task.status in OPEN_TASK_STATUSES else None
        fields |= {"remind_at": armed, "remind_misses": 0, "remind_generation": F("remind_generation") + 1}
    if not Task.objects.filter(pk=task.pk, revision=revision).update(**fields):
        raise _stale(task)
    task.refresh_from_db()
    integration.task_changed(task, actor, "edited")
    return task


@transaction.atomic
def task_move(*, actor, task: Task, to: str, expected_status: str | None = None, note: str = "") -> Task:
    """todo → doing → done | cancelled (and back to todo). Guarded: of two people ticking the
    same task at once, one wins; the other gets a Conflict with the current status."""
    membership = _require(actor, task.incident.cell_id, WORK_ROLE)
    if to not in TaskStatus.values:
        raise ValidationError({"to": _("“%(value)s” is not a task status.") % {"value": to}})
    current = expected_status or task.status
    move = TASK_MOVES.move(current, to)
    if move is None:
        allowed = ", ".join(str(TaskStatus(b).label) for b in TASK_MOVES.targets_from(current)) or "—"
        raise ValidationError(
            {
                "to": _("A task %(from)s cannot become %(to)s. From %(from)s it can become: %(allowed)s.")
                % {"from": TaskStatus(current).label, "to": TaskStatus(to).label, "allowed": allowed}
            }
        )
    action = move.action
    if action == "reopened" and not membership.has_role(MANAGE_ROLE) and task.finished_by_id != actor.pk:
        raise PermissionDenied(_("Only whoever closed the task, or a manager, can reopen it."))
    now = timezone.now()
    fields = {"revision": F("revision") + 1, "updated_at": now}
    if to in (S.DONE, S.CANCELLED):
        fields |= {"finished_at": now, "finished_by": actor, "remind_at": None}
    elif action == "reopened":
        fields |= {
            "finished_at": None,
            "finished_by": None,
            "remind_at": task.due_at,
            "remind_misses": 0,
            "remind_generation": F("remind_generation") + 1,
        }
    if to == S.DOING and task.assignee_id is None:
        fields["assignee"] = actor  # taking an unassigned task makes it yours
    if not TASK_MOVES.apply(task.pk, source=current, target=to, **fields):
        raise _stale(task)
    task.refresh_from_db()
    if action in LOGGED_MOVES:
        note = (note or "").strip()[:2000]
        integration.log_task(
            task, actor, action, text=task.title, note=note, on_time=_on_time(task, now), level=task.level
        )
    else:
        integration.task_changed(task, actor, action)
    return task


def _on_time(task: Task, now) -> bool | None:
    return None if task.due_at is None else now <= task.due_at


# --- The on-call rota ------------------------------------------------------------------------

ROTA_YEARS = (2000, 2100)


@transaction.atomic
def rota_add(*, actor, cell: Cell, user, starts_at, ends_at) -> RotaSlot:
    _require(actor, cell.pk, MANAGE_ROLE)
    if not Membership.objects.filter(user=user, cell=cell).exists():
        raise ValidationError({"user": _("Only a member of the cell can be on call.")})
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not ROTA_YEARS[0] <= moment.year <= ROTA_YEARS[1]:
            # A typo (0281 for 2081): outside these years no one is on call, and such
            # dates come back with historical time-zone offsets no client parses.
            raise ValidationError(
                {
                    field: _("Give a date between %(first)s and %(last)s.")
                    % dict(zip(("first", "last"), ROTA_YEARS, strict=True))
                }
            )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The slot must end after it starts.")})
    return RotaSlot.objects.create(cell=cell, user=user, starts_at=starts_at, ends_at=ends_at)


@transaction.atomic
def rota_remove(*, actor, slot: RotaSlot) -> None:
    _require(actor, slot.cell_id, MANAGE_ROLE)
    RotaSlot.objects.filter(pk=slot.pk).delete()
