"""Reads on playbooks and tasks, scoped by the caller (they take an incident or a cell already authorised)."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cells.access import cell_ids_with_role
from incidents.models import Level

from .models import OPEN_TASK_STATUSES, Playbook, Task, TaskStatus
from .schema import PLAYBOOK_LEVELS


def tasks_of(incident) -> QuerySet[Task]:
    return Task.objects.filter(incident=incident).select_related("assignee").order_by("position", "id")


def playbooks_of(cell_id: int) -> QuerySet[Playbook]:
    return Playbook.objects.filter(cell_id=cell_id).order_by("crisis_type", "id")


def my_open_tasks(user) -> QuerySet[Task]:
    """The user's open tasks across every incident of their cells, soonest due first."""
    return (
        Task.objects.filter(
            assignee=user, status__in=OPEN_TASK_STATUSES, incident__cell_id__in=cell_ids_with_role(user)
        )
        .select_related("incident", "incident__cell")
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


@dataclass
class LevelProgress:
    level: str
    label: str
    done: int
    total: int
    overdue: int
    tasks: list

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def checklist(incident) -> list[LevelProgress]:
    """The incident's tasks grouped by level (hand-added ones last), with progress per group.

    Two queries whatever the number of tasks: the counts, then the rows shown."""
    now = timezone.now()
    counts = {
        row["level"]: row
        for row in Task.objects.filter(incident=incident)
        .values("level")
        .annotate(
            total=Count("id", filter=~Q(status=TaskStatus.CANCELLED)),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            overdue=Count("id", filter=Q(status__in=OPEN_TASK_STATUSES, due_at__lt=now)),
            rows=Count("id"),
        )
    }
    by_level: dict[str, list] = {}
    for task in tasks_of(incident):
        by_level.setdefault(task.level, []).append(task)
    groups = []
    for level in [*(lv.value for lv in PLAYBOOK_LEVELS), ""]:
        if level not in counts:
            continue
        row = counts[level]
        label = Level(level).label if level else None
        groups.append(LevelProgress(level, label, row["done"], row["total"], row["overdue"], by_level.get(level, [])))
    return groups


def current_versions(cell_id: int) -> list:
    """The current version of each of the cell's playbooks, by crisis type (one query)."""
    from .models import PlaybookVersion

    latest = PlaybookVersion.objects.filter(playbook=OuterRef("playbook")).order_by("-number").values("pk")[:1]
    return list(
        PlaybookVersion.objects.filter(playbook__cell_id=cell_id, pk=Subquery(latest))
        .select_related("playbook")
        .order_by("playbook__crisis_type")
    )
