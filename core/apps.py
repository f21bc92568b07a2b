from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel: errors, API helpers, transitions, diff, template filters, registries.

    It imports no app of the project (the import-linter contract in pyproject.toml checks it).
    """

    name = "core"
    verbose_name = _("Core")
