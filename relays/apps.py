from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelaysConfig(AppConfig):
    name = "relays"
    verbose_name = _("Relays")

    def ready(self):
        # Its part of `manage.py load_demo`, after the statements (incidents cannot import relays).
        from incidents import demo as demo_steps

        from .demo import load
        from .registrations import register

        demo_steps.register("relays", load, order=30)
        # Its crisis-log kind and wording (incidents.log_kinds).
        register()
