"""Every new endpoint x every role: admin, manager, member, observer, a non-member, anonymous.

Non-members get 404 (we do not confirm the incident exists), anonymous 401, a
role below the endpoint's minimum 403, and everyone else the success code.
The objects acted on were written by mia (a second member), so the four-eyes
rules never get in the way of the role being tested.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import User
from facts import claims
from facts.models import Fact
from incidents.models import Incident
from reminders.models import Reminder
from statements.models import Statement
from tests.facts.helpers import SOURCE, approved, make_fact, make_statement, published, version
from tests.shared import SHARED, shared_fixture

pytestmark = [pytest.mark.django_db, SHARED]

ROLES = ["admin", "manager", "member", "observer", "outsider", "anonymous"]
RANK = {"observer": 0, "member": 1, "manager": 2, "admin": 3}


@dataclass(frozen=True)
class World:
    """Ids of the objects acted on."""

    base: str
    fact_u: int
    fact_v: int
    claim: int
    draft: int
    in_review: int
    approved: int
    live: int
    reminder: int


@shared_fixture
def world(people) -> World:
    """Built once for the module (tests/shared.py); each row's writes are rolled back."""
    from statements import services

    incident = Incident.objects.get(pk=people.incident)
    mia, manager = (User.objects.get(pk=people.users[key]) for key in ("member2", "manager"))
    fact_v = make_fact(incident, mia, text="Verified", verifier=manager)
    claim = claims.claim_create(actor=mia, incident=incident, text="A rumour")
    statements = [make_statement(incident, mia, facts=[fact_v]) for _ in range(4)]
    draft, in_review, ready, live = statements
    services.version_submit(actor=mia, version=version(in_review))
    approved(ready, mia, manager)
    published(live, mia, manager)
    return World(
        base=f"/api/v1/incidents/{incident.pk}",
        fact_u=make_fact(incident, mia, text="Unverified").pk,
        fact_v=fact_v.pk,
        claim=claim.pk,
        draft=draft.pk,
        in_review=in_review.pk,
        approved=ready.pk,
        live=live.pk,
        reminder=Reminder.objects.get(claim=claim).pk,
    )


def v(statement_id, *rest):
    return "/".join([f"statements/{statement_id}/versions/1", *rest])


LATER = (timezone.now() + datetime.timedelta(days=1)).isoformat()

# name -> (method, path under the incident, body, minimum role, success code, needs If-Match of)
ENDPOINTS = {
    "facts-list": ("get", lambda w: "facts/", None, "observer", 200, None),
    "facts-create": ("post", lambda w: "facts/", {"text": "New", "sources": [SOURCE]}, "member", 201, None),
    "facts-detail": ("get", lambda w: f"facts/{w.fact_u}/", None, "observer", 200, None),
    "facts-edit": ("patch", lambda w: f"facts/{w.fact_u}/", {"text": "Edited"}, "member", 200, "fact_u"),
    "facts-verify": ("post", lambda w: f"facts/{w.fact_u}/verify/", {}, "member", 200, None),
    "facts-refute": ("post", lambda w: f"facts/{w.fact_u}/refute/", {"reason": "x"}, "member", 200, None),
    "facts-retract": ("post", lambda w: f"facts/{w.fact_v}/retract/", {"reason": "x"}, "member", 200, None),
    "facts-source": (
        "post",
        lambda w: f"facts/{w.fact_u}/sources/",
        {"kind": "document", "reference": "Report"},
        "member",
        201,
        None,
    ),
    "facts-versions": ("get", lambda w: f"facts/{w.fact_u}/versions/", None, "observer", 200, None),
    "facts-diff": ("get", lambda w: f"facts/{w.fact_u}/diff/?from=1&to=1", None, "observer", 200, None),
    "claims-list": ("get", lambda w: "claims/", None, "observer", 200, None),
    "claims-create": ("post", lambda w: "claims/", {"text": "Another"}, "member", 201, None),
    "claims-detail": ("get", lambda w: f"claims/{w.claim}/", None, "observer", 200, None),
    "claims-edit": ("patch", lambda w: f"claims/{w.claim}/", {"where": "X"}, "member", 200, None),
    "claims-transition": (
        "post",
        lambda w: f"claims/{w.claim}/transition/",
        {"to": "under_check"},
        "member",
        200,
        None,
    ),
    "claims-link": (
        "post",
        lambda w: f"claims/{w.claim}/facts/",
        {"fact": 0, "relation": "refutes"},  # the fact id is filled in below
        "member",
        200,
        None,
    ),
    "statements-list": ("get", lambda w: "statements/", None, "observer", 200, None),
    "statements-create": (
        "post",
        lambda w: "statements/",
        {"kind": "qa", "audience": "press", "title": "Q", "text": "A"},
        "member",
        201,
        None,
    ),
    "statements-detail": ("get", lambda w: f"statements/{w.draft}/", None, "observer", 200, None),
    "statements-edit": ("patch", lambda w: f"statements/{w.draft}/", {"title": "T2"}, "member", 200, None),
    "statements-review-due": (
        "post",
        lambda w: f"statements/{w.live}/review-due/",
        {"review_due_at": LATER},
        "manager",
        200,
        None,
    ),
    "statements-diff": ("get", lambda w: f"statements/{w.draft}/diff/?from=1&to=1", None, "observer", 200, None),
    "versions-list": ("get", lambda w: f"statements/{w.draft}/versions/", None, "observer", 200, None),
    "versions-detail": ("get", lambda w: v(w.draft) + "/", None, "observer", 200, None),
    "versions-edit": ("patch", lambda w: v(w.draft) + "/", {"text": "Edited"}, "member", 200, "draft"),
    "versions-submit": ("post", lambda w: v(w.draft, "submit/"), {}, "member", 200, None),
    "versions-approve": ("post", lambda w: v(w.in_review, "approve/"), {}, "manager", 200, None),
    "versions-reject": ("post", lambda w: v(w.in_review, "reject/"), {"comment": "No"}, "manager", 200, None),
    "versions-publish": ("post", lambda w: v(w.approved, "publish/"), {"channel": "web"}, "manager", 200, None),
    "versions-withdraw": ("post", lambda w: v(w.live, "withdraw/"), {"reason": "Old"}, "manager", 200, None),
    "reminders-list": ("get", lambda w: "reminders/", None, "observer", 200, None),
    "reminders-detail": ("get", lambda w: f"reminders/{w.reminder}/", None, "observer", 200, None),
    "reminders-snooze": (
        "post",
        lambda w: f"reminders/{w.reminder}/snooze/",
        {"minutes": 10, "reason": "Later"},
        "member",
        200,
        None,
    ),
}


def expected(role: str, minimum: str, success: int) -> int:
    if role == "anonymous":
        return 401
    if role == "outsider":
        return 404
    return success if RANK[role] >= RANK[minimum] else 403


def etag_of(world: World, what: str) -> str:
    if what == "fact_u":
        return Fact.objects.get(pk=world.fact_u).etag
    return version(Statement.objects.get(pk=getattr(world, what))).etag


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_permission_matrix(api, users, world, endpoint, role):
    method, path, body, minimum, success, if_match = ENDPOINTS[endpoint]
    if endpoint == "claims-link":
        body = {**body, "fact": world.fact_v}
    client = api(None if role == "anonymous" else users[role])
    headers = {"HTTP_IF_MATCH": etag_of(world, if_match)} if if_match else {}
    response = getattr(client, method)(f"{world.base}/{path(world)}", body, format="json", **headers)
    assert response.status_code == expected(role, minimum, success), response.content[:300]
