from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    """The transport: broadcast after commit, socket authentication and origin checks.

    It knows channel-layer groups and the people at the other end of the sockets
    (users, sessions), nothing of the domain; the apps above compose their messages.
    """

    name = "realtime"
    verbose_name = _("Live transport")

    def ready(self):
        # Logging out closes the user's open sockets of that session.
        from . import signals  # noqa: F401
