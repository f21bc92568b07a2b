from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseQueueConfig(AppConfig):
    name = "response_queue"
    verbose_name = _("Response queue")

    def ready(self):
        from . import integration

        integration.connect()
