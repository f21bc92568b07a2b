"""The panels of the incident workspace beyond the crisis log: needs-review banner, claims, facts, statements.

Each panel is also served alone as a fragment (see facts/urls.py and
statements/urls.py) for live updates; this module puts them together for the page.
"""

from cells.models import Membership, Role
from facts.forms import ClaimForm, FactForm
from facts.panels import claims_panel, facts_panel
from statements.panels import needs_review_panel, statements_panel

from .models import Incident


def workspace_panels(request, incident: Incident, membership: Membership, *, fact_form=None, claim_form=None) -> dict:
    statements = statements_panel(incident, membership)
    context = {
        **needs_review_panel(incident, statements["statements"]),
        **claims_panel(incident, membership, request.user),
        **facts_panel(incident, membership, request.user),
        **statements,
    }
    if membership.has_role(Role.MEMBER):
        # The forms people type into live outside the refreshable panels (a live refresh must not wipe them).
        context["fact_form"] = fact_form or FactForm()
        context["claim_form"] = claim_form or ClaimForm()
    return context
