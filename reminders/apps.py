from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Review cadence and reminders")

    def ready(self):
        # What the incident list counts and the closing checklist lists (incidents.attention).
        from .attention import register_concerns

        register_concerns()
        # Its crisis-log kinds and wording, the objects it lets people name and lock.
        from .registrations import register

        register()
