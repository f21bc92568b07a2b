"""The summary at the top of the workspace, for people who arrive late or read from outside:
the level and since when, the latest approved statement, the key decisions, the open questions.

It reads the statements and facts of the incident, so it is the statements app's (registered as
the workspace's "glance" panel). The same summary seeds a "stakeholder update" statement
(statements.views.statement_add).
"""

from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from facts.models import OPEN_CLAIM_STATUSES, Claim, Fact, FactStatus
from incidents import selectors
from incidents.models import Incident

from .models import STANDING_STATUSES, StatementVersion

# The summary lists a few of each; the panels below have the rest.
SHOWN = 5


def _first(queryset, n: int = SHOWN) -> tuple[list, int]:
    """Up to n rows and whether there are more, in one query (n + 1 rows)."""
    rows = list(queryset[: n + 1])
    return rows[:n], len(rows) > n


def latest_approved(incident: Incident) -> StatementVersion | None:
    """The most recently approved version that still stands (approved or published)."""
    return (
        StatementVersion.objects.filter(statement__incident=incident, status__in=STANDING_STATUSES)
        .select_related("statement", "decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )


def glance(incident: Incident, pinned: set[int] | None = None) -> dict:
    """`pinned`: the pinned entries' ids when the caller has them already (the workspace's log)."""
    claims, more_claims = _first(
        Claim.objects.filter(incident=incident, status__in=OPEN_CLAIM_STATUSES).order_by("first_seen_at", "id")
    )
    facts, more_facts = _first(
        Fact.objects.filter(incident=incident, status=FactStatus.UNVERIFIED).order_by("created_at", "id")
    )
    return {
        "approved": latest_approved(incident),
        "decisions": selectors.key_decisions(incident, pinned),
        "open_claims": claims,
        "more_claims": more_claims,
        "unverified_facts": facts,
        "more_facts": more_facts,
    }


def stakeholder_update(incident: Incident) -> dict:
    """The initial fields of a "stakeholder update" statement drafted from the summary."""
    text = render_to_string("incidents/stakeholder_update.txt", {"incident": incident, **glance(incident)})
    title = _("Stakeholder update: %(title)s") % {"title": incident.title}
    return {"title": Truncator(title).chars(200), "text": text.strip()}
