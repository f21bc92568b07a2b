from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseQueueConfig(AppConfig):
    name = "response_queue"
    verbose_name = _("Response queue")

    def ready(self):
        from . import integration

        integration.connect()
        # Its part of `manage.py load_demo`, after monitoring's mentions (incidents cannot import the queue).
        from incidents import demo as demo_steps

        from .demo import load

        demo_steps.register("response_queue", load, order=20)
