from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # The touch points with the other apps live in one module (re-plugged when the
        # registries of core/ land); monitoring subscribes, nobody below imports it.
        from . import integration

        integration.connect()
        from . import registrations

        registrations.register()
        # Its part of `manage.py load_demo` (incidents cannot import monitoring).
        from incidents import demo as demo_steps

        from .demo import load

        demo_steps.register("monitoring", load, order=10)
