from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")

    def ready(self):
        # The chat's notification kind and wording (mentions), its panel of the workspace.
        from .registrations import register

        register()
