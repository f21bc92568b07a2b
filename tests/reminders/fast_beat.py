"""The project's Celery app for the beat of the reminder tests: the reminder job every second.

Started as `celery -A tests.reminders.fast_beat beat`: a real beat process,
only with a schedule a test can wait for (the settings say every minute).
"""

import os

from crisiscell.celery import app

app.conf.beat_schedule = {
    "process-due-reminders": {
        "task": "reminders.tasks.process_due_reminders",
        "schedule": float(os.environ.get("TEST_REMINDER_TICK_SECONDS", "1")),
    },
}

__all__ = ["app"]
