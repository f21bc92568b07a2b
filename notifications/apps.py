from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Escalations reach every member: the bell, then one e-mail per address (notifications.tasks).
        from incidents.signals import escalated

        from .escalation import tell_the_cell

        escalated.connect(tell_the_cell, dispatch_uid="notifications.escalation")
        # Its own kinds and wordings (the other apps register theirs in their ready()).
        from .registrations import register

        register()
