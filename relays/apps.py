from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelaysConfig(AppConfig):
    name = "relays"
    verbose_name = _("Relays")

    def ready(self):
        # Its crisis-log kind and wording (incidents.log_kinds).
        from .registrations import register

        register()
