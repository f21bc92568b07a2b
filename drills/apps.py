from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    name = "drills"
    verbose_name = _("Drills")

    def ready(self):
        from . import registrations

        registrations.register()

        # Its part of `manage.py load_demo`, after the playbooks (incidents cannot import drills).
        from incidents import demo as demo_steps

        from .demo import load

        demo_steps.register("drills", load, order=50)
