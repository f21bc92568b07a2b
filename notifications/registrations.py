"""The notifications app's own kinds and wordings (called from NotificationsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from . import registry
from .models import NotificationKind


def register() -> None:
    for kind in NotificationKind:
        registry.register_kind(kind.value, kind.label)
    registry.register_wording(
        "incident.escalated",
        title=_("“%(incident)s” is now at level %(level)s"),
        body=_("%(name)s moved “%(incident)s” from %(from_level)s to %(level)s at %(at)s. Reason: %(reason)s"),
    )
