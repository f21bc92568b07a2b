from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Every failed login counts against the client's address (the lockout of all ways in).
        from core import lockout  # noqa: F401

        # Cached API tokens are forgotten when their token or user changes.
        from . import api_tokens  # noqa: F401
