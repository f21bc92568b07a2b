"""Bulk builders: many tasks in one INSERT (for the constant-query pins)."""

from playbooks.models import Task


def bulk_tasks(incident, n: int, *, assignee=None, level: str = "crisis") -> None:
    Task.objects.bulk_create(
        Task(incident=incident, level=level, position=i, title=f"Tâche {i}", assignee=assignee) for i in range(n)
    )
