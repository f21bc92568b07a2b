from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The incident page and what gathers several apps (issue 11): above every domain app."""

    name = "workspace"
    verbose_name = _("Workspace")

    def ready(self):
        # The apps below show the page again (a refused form) through incidents.workspace.render.
        from incidents import workspace

        from .page import render_workspace

        workspace.register_page(render_workspace)
