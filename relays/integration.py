"""Every touch point of the relays app with the other apps, in one place.

Lower apps (incidents, statements, facts, messaging) never import relays; this
module is what adapts when they change shape (the kernel and registries of the
architecture work, monitoring's mentions).
"""

from django.utils.translation import gettext_lazy

from facts.models import FactStatus
from incidents import crisislog
from incidents.models import Incident, LogCategory
from statements import selectors
from statements.models import StatementVersion, VersionStatus

# The crisis-log kind of relay actions (registered in incidents.log_kinds: relays/registrations.py).
LOG_KIND = "relay"

SENTENCES = {
    "briefed": gettext_lazy(
        "Statement #%(statement)s v%(version)s sent to %(sent)s relays (%(skipped)s not contacted)."
    ),
    "answered": gettext_lazy("A relay answered the briefing on statement #%(statement)s: %(answer)s."),
    "relayed": gettext_lazy("A relay relayed statement #%(statement)s."),
    "bounced": gettext_lazy("A briefing e-mail on statement #%(statement)s bounced (%(status)s)."),
}


def log(*, incident: Incident, actor, action: str, text: str = "", **data) -> None:
    """One crisis-log entry of a relay action (inside the caller's transaction)."""
    crisislog.append_entry(
        incident=incident,
        kind=LOG_KIND,
        actor=actor,
        text=text,
        category=LogCategory.COMMUNICATION,
        data={"action": action, **data},
    )


def is_published(version: StatementVersion) -> bool:
    return version.status == VersionStatus.PUBLISHED


def verified_facts_of(version: StatementVersion) -> list:
    """The verified facts a version cites: what a briefing passes on (never an unverified one)."""
    return [
        citation.fact
        for citation in version.citations.select_related("fact").order_by("fact_id")
        if citation.fact.status == FactStatus.VERIFIED
    ]


def version_of_statement(statement, number) -> StatementVersion:
    return selectors.get_version(statement, number)


def statement_for_user(user, incident_id, statement_id, minimum):
    return selectors.get_statement_for_user(user, incident_id, statement_id, minimum)


def mentions_by_handles(cell_id: int, handles: list[str], since):
    """Mentions of the cell whose author is one of `handles` (lower-case, without "@"), published since `since`."""
    from django.db.models.functions import Lower

    from monitoring.models import Mention

    forms = handles + [f"@{handle}" for handle in handles]
    return (
        Mention.objects.filter(cell_id=cell_id, published_at__gte=since)
        .annotate(handle_lower=Lower("author_handle"))
        .filter(handle_lower__in=forms)
    )
