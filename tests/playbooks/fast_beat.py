"""The project's Celery app for the beat of the playbooks worker test: its three jobs every second.

Started as `celery -A tests.playbooks.fast_beat beat`: a real beat process, with a schedule
a test can wait for (the settings say every minute)."""

from crisiscell.celery import app

app.conf.beat_schedule = {
    name: {"task": f"playbooks.tasks.{name}", "schedule": 1.0}
    for name in ("process_due_task_reminders", "process_due_acknowledgements", "process_due_digests")
}

__all__ = ["app"]
