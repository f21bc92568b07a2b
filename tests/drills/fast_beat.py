"""The project's Celery app for the drill worker test: the inject job every second, as in production."""

from crisiscell.celery import app

app.conf.beat_schedule = {
    "deliver-due-injects": {"task": "drills.tasks.deliver_due_injects", "schedule": 1.0},
}

__all__ = ["app"]
