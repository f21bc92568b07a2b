"""Who gets what on the pages of facts, claims, statements, reminders and notifications (issue 3).

The rules of tests/incidents/test_permission_matrix.py: anonymous -> the login
page; a non-member (`outsider`, admin of another cell) -> 404; a member whose
role is too weak -> 403; otherwise it works (200 for pages and fragments, 302
after a POST that changed something). Each row runs on a fresh scene, and a
refused POST leaves every row of the database as it was.
"""

import pytest

from tests.pages import future_local, rows
from tests.shared import SHARED


@pytest.fixture
def scene(shared_scene):
    """The pages' scene (tests/pages.py), built once for the module; each row's writes are rolled back."""
    return shared_scene


pytestmark = [pytest.mark.django_db, SHARED]

ROLES = ["admin", "manager", "member", "observer", "outsider", "anonymous"]
LOGIN = "login"


def expect(admin, manager, member, observer, outsider=404, anonymous=LOGIN) -> dict:
    return dict(zip(ROLES, (admin, manager, member, observer, outsider, anonymous), strict=True))


def readers(ok) -> dict:
    return expect(ok, ok, ok, ok)


def contributors(ok) -> dict:
    return expect(ok, ok, ok, 403)


def managers(ok) -> dict:
    return expect(ok, ok, 403, 403)


def admins(ok) -> dict:
    return expect(ok, 403, 403, 403)


I = "/incidents/{incident}"  # noqa: E741

GETS = [
    ("facts fragment", f"{I}/panels/facts/", readers(200)),
    ("claims fragment", f"{I}/panels/claims/", readers(200)),
    ("statements fragment", f"{I}/panels/statements/", readers(200)),
    ("needs-review fragment", f"{I}/panels/needs-review/", readers(200)),
    ("fact page", f"{I}/facts/{{fact}}/", readers(200)),
    ("fact page with a diff", f"{I}/facts/{{fact}}/?from=1&to=1", readers(200)),
    ("claim page", f"{I}/claims/{{claim}}/", readers(200)),
    ("statement page", f"{I}/statements/{{live}}/", readers(200)),
    ("new statement page", f"{I}/statements/new/", contributors(200)),
    ("snooze page", f"{I}/reminders/{{reminder}}/snooze/", contributors(200)),
    ("communication settings", "/cells/{cell}/communication/", managers(200)),
    # Everyone has their own notifications: the outsider too.
    ("notifications page", "/notifications/", expect(200, 200, 200, 200, outsider=200)),
]

POSTS = [
    (
        "record a fact",
        f"{I}/facts/new/",
        {"fact-text": "New fact", "fact-source_kind": "witness", "fact-source_reference": "Lea"},
    ),
    ("verify a fact", f"{I}/facts/{{fact}}/verify/", {"return_to": "workspace"}),
    ("refute a fact", f"{I}/facts/{{fact}}/refute/", {"reason": "Lab says no", "return_to": "page"}),
    ("retract a fact", f"{I}/facts/{{verified}}/retract/", {"reason": "New lab test", "return_to": "page"}),
    ("edit a fact", f"{I}/facts/{{fact}}/edit/", {"text": "Batch 43 is fine, per QA.", "revision": "1"}),
    ("add a source", f"{I}/facts/{{fact}}/sources/", {"kind": "document", "reference": "QA report 7"}),
    ("register a claim", f"{I}/claims/new/", {"claim-text": "It causes rashes", "claim-language": "fr"}),
    (
        "move a claim",
        f"{I}/claims/{{claim}}/status/",
        {"to": "under_check", "expected_status": "circulating", "return_to": "page"},
    ),
    ("link a fact to a claim", f"{I}/claims/{{claim}}/facts/", {"fact": "{verified}", "relation": "refutes"}),
    (
        "draft a statement",
        f"{I}/statements/new/",
        {"kind": "holding", "audience": "press", "language": "fr", "title": "T", "text": "We are checking."},
    ),
    ("edit a draft", f"{I}/statements/{{draft}}/v1/edit/", {"v1-edit-text": "Better text", "v1-edit-revision": "1"}),
    ("change title and answers", f"{I}/statements/{{draft}}/edit/", {"title": "New title", "answers": "{claim}"}),
    (
        "snooze a review reminder",
        f"{I}/reminders/{{reminder}}/snooze/",
        {"r{reminder}-minutes": "30", "r{reminder}-reason": "Checked"},
    ),
]
POSTS_BY_ROLE = [
    ("submit a draft", f"{I}/statements/{{draft}}/v1/submit/", {}, contributors(302)),
    ("approve", f"{I}/statements/{{review}}/v1/approve/", {}, managers(302)),
    ("reject", f"{I}/statements/{{review}}/v1/reject/", {"v1-reject-comment": "Too vague"}, managers(302)),
    ("publish", f"{I}/statements/{{approved}}/v1/publish/", {"v1-publish-channel": "Website"}, managers(302)),
    ("withdraw", f"{I}/statements/{{live}}/v1/withdraw/", {"v1-withdraw-reason": "Obsolete"}, managers(302)),
    ("move the review deadline", f"{I}/statements/{{live}}/review-due/", {"review_due_at": "{future}"}, managers(302)),
    (
        "change the communication settings",
        "/cells/{cell}/communication/",
        {
            "crisis_minutes": "20",
            "alert_minutes": "90",
            "watch_minutes": "480",
            "recovery_minutes": "480",
            "repeat_minutes": "15",
            "escalate_after": "3",
            "review_wait_minutes": "20",
            "claim_unanswered_minutes": "60",
        },
        admins(302),
    ),
    ("mark all notifications read", "/notifications/read-all/", {}, expect(302, 302, 302, 302, outsider=302)),
]

CASES = (
    [(name, "get", url, None, expected) for name, url, expected in GETS]
    + [(name, "post", url, body, contributors(302)) for name, url, body in POSTS]
    + [(name, "post", url, body, expected) for name, url, body, expected in POSTS_BY_ROLE]
)


def matrix() -> list:
    return [
        pytest.param(method, url, body, role, expected[role], id=f"{name}-{role}")
        for name, method, url, body, expected in CASES
        for role in ROLES
    ]


def fill(template: str, scene: dict) -> str:
    return template.format(**scene, future=future_local())


@pytest.mark.parametrize(("method", "url", "body", "role", "status"), matrix())
def test_pages(client, users, scene, method, url, body, role, status):
    if role != "anonymous":
        client.force_login(users[role])
    url = fill(url, scene)
    data = {fill(key, scene): fill(value, scene) for key, value in (body or {}).items()}
    before = rows()
    response = getattr(client, method)(url, data)
    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == status, response.content.decode()[:2000]
    if method == "post" and status != 302:
        assert rows() == before


@pytest.mark.parametrize(
    "url",
    [
        f"{I}/panels/facts/",
        f"{I}/facts/{{fact}}/",
        f"{I}/claims/{{claim}}/",
        f"{I}/statements/{{live}}/",
        "/notifications/",
    ],
)
def test_pages_refuse_other_methods(as_user, scene, url):
    client = as_user("admin")
    assert client.post(fill(url, scene)).status_code == 405
    assert client.delete(fill(url, scene)).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        f"{I}/facts/{{fact}}/verify/",
        f"{I}/claims/{{claim}}/status/",
        f"{I}/statements/{{draft}}/v1/submit/",
        f"{I}/statements/{{live}}/review-due/",
        "/notifications/read-all/",
    ],
)
def test_actions_refuse_get(as_user, scene, url):
    assert as_user("admin").get(fill(url, scene)).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/incidents/{incident}/facts/999999/",
        "/incidents/{incident}/claims/999999/",
        "/incidents/{incident}/statements/999999/",
        "/incidents/{incident}/statements/{live}/v9/withdraw/",
        "/incidents/{incident}/reminders/999999/snooze/",
        "/incidents/999999/panels/facts/",
        "/cells/999999/communication/",
    ],
)
def test_unknown_ids_are_404(as_user, scene, url):
    client = as_user("admin")
    method = client.post if url.endswith(("withdraw/",)) else client.get
    assert method(fill(url, scene), {"v9-withdraw-reason": "x"}).status_code == 404


def test_a_fact_of_another_incident_is_404(as_user, scene, cell, users):
    """Ids are checked against the incident in the URL, not only against the cell."""
    from incidents import services

    other = services.incident_create(actor=users["member"], cell=cell, title="Another incident")
    client = as_user("admin")
    assert client.get(f"/incidents/{other.pk}/facts/{scene['fact']}/").status_code == 404
    assert client.get(f"/incidents/{other.pk}/statements/{scene['live']}/").status_code == 404
    assert client.post(f"/incidents/{other.pk}/facts/{scene['fact']}/verify/").status_code == 404
