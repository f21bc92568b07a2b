"""What the relays app plugs into the apps below it (called from RelaysConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from incidents import log_kinds

from .integration import LOG_KIND, SENTENCES


def register() -> None:
    # A relay entry (briefed, answered, relayed, bounced) refreshes the log and the statement page's
    # relays panel (relays/views.statement_relays, live:relays).
    log_kinds.register(LOG_KIND, label=_("Relay"), panels=["relays", "log"], sentences=SENTENCES)
