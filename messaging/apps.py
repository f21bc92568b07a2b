from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Live workspace and chat")

    def ready(self):
        # Logging out closes the user's open sockets of that session.
        from . import signals  # noqa: F401

        # The chat's notification kind and wording (mentions).
        from .registrations import register

        register()
