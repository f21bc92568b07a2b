from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Live workspace and chat")

    def ready(self):
        # The chat's notification kind and wording (mentions).
        from .registrations import register

        register()
