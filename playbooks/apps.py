from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = _("Playbooks, tasks and activation")

    def ready(self):
        # Every touch point with the apps below (incidents' level hook, log kinds...) is in one module.
        from . import integration, registrations

        registrations.register()
        integration.connect()

        # Its part of `manage.py load_demo`, after the statements (incidents cannot import playbooks).
        from incidents import demo as demo_steps

        from .demo import load

        demo_steps.register("playbooks", load, order=40)
