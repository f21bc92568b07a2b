"""What the relays app plugs into the apps below it (called from RelaysConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from incidents import log_kinds

from .integration import LOG_KIND, SENTENCES


def register() -> None:
    log_kinds.register(LOG_KIND, label=_("Relay"), sentences=SENTENCES)
