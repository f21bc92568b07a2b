"""Who gets what: every API endpoint and every page, for each role, a non-member and an anonymous visitor.

Rules, the same everywhere:
- anonymous: the API answers 401 (token authentication comes first, so DRF
  sends a `WWW-Authenticate: Token` challenge); pages redirect to the login page;
- a non-member (`outsider`, admin of another cell) gets 404 for anything of
  the cell: we do not confirm that it exists;
- a member whose role is too weak gets 403;
- otherwise the request succeeds.

Exceptions are spelled out in the table: the incident list answers the
outsider with their own cell's incidents; creating an incident names the cell
in the body, so a cell that is not yours is a field error (400); the crisis log
refuses PUT/PATCH/DELETE with 405 to whoever is logged in, before looking at
the URL's ids.
"""

import pytest

from cells.models import Membership
from incidents.models import LogEntry

from ..factories import PASSWORD, UserFactory
from ..shared import SHARED, shared_fixture
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = [pytest.mark.django_db, SHARED]

ROLES = ["admin", "manager", "member", "observer", "outsider", "anonymous"]
LOGIN = "login"  # expected: a redirect to the login page


def expect(admin, manager, member, observer, outsider, anonymous) -> dict:
    return dict(zip(ROLES, (admin, manager, member, observer, outsider, anonymous), strict=True))


def readers(ok, outsider=404, anonymous=401) -> dict:
    """Every member may: observers included."""
    return expect(ok, ok, ok, ok, outsider, anonymous)


def contributors(ok, outsider=404, anonymous=401) -> dict:
    """Members and above; observers are refused."""
    return expect(ok, ok, ok, 403, outsider, anonymous)


def managers(ok, outsider=404, anonymous=401) -> dict:
    return expect(ok, ok, 403, 403, outsider, anonymous)


def admins(ok, outsider=404, anonymous=401) -> dict:
    return expect(ok, 403, 403, 403, outsider, anonymous)


API = [
    # (name, method, url, body, expected by role)
    ("incident list", "get", "/api/v1/incidents/", None, readers(200, outsider=200)),
    (
        "incident create",
        "post",
        "/api/v1/incidents/",
        {"cell": "{cell}", "title": "Spike"},
        contributors(201, outsider=400),
    ),
    ("incident retrieve", "get", "/api/v1/incidents/{incident}/", None, readers(200)),
    ("incident patch", "patch", "/api/v1/incidents/{incident}/", {"severity": 1}, contributors(200)),
    ("incident put", "put", "/api/v1/incidents/{incident}/", {"title": "x"}, expect(405, 405, 405, 405, 405, 401)),
    ("incident delete", "delete", "/api/v1/incidents/{incident}/", None, expect(405, 405, 405, 405, 405, 401)),
    (
        "transition watch -> alert",
        "post",
        "/api/v1/incidents/{incident}/transition/",
        {"to": "alert", "reason": "Spike"},
        contributors(200),
    ),
    (
        "transition watch -> crisis",
        "post",
        "/api/v1/incidents/{incident}/transition/",
        {"to": "crisis", "reason": "Storm"},
        managers(200),
    ),
    ("log list", "get", "/api/v1/incidents/{incident}/log/", None, readers(200)),
    ("log add", "post", "/api/v1/incidents/{incident}/log/", {"text": "Seen on X"}, contributors(201)),
    ("log entry", "get", "/api/v1/incidents/{incident}/log/{entry}/", None, readers(200)),
    (
        "log entry put",
        "put",
        "/api/v1/incidents/{incident}/log/{entry}/",
        {"text": "x"},
        expect(405, 405, 405, 405, 405, 401),
    ),
    (
        "log entry patch",
        "patch",
        "/api/v1/incidents/{incident}/log/{entry}/",
        {"text": "x"},
        expect(405, 405, 405, 405, 405, 401),
    ),
    (
        "log entry delete",
        "delete",
        "/api/v1/incidents/{incident}/log/{entry}/",
        None,
        expect(405, 405, 405, 405, 405, 401),
    ),
    ("log verify", "get", "/api/v1/incidents/{incident}/log/verify/", None, readers(200)),
    ("cell list", "get", "/api/v1/cells/", None, readers(200, outsider=200)),
    ("cell retrieve", "get", "/api/v1/cells/{cell}/", None, readers(200)),
    ("member list", "get", "/api/v1/cells/{cell}/members/", None, readers(200)),
    ("member retrieve", "get", "/api/v1/cells/{cell}/members/{membership}/", None, readers(200)),
    (
        "member add",
        "post",
        "/api/v1/cells/{cell}/members/",
        {"username": "nina", "role": "member"},
        admins(201),
    ),
    ("member re-role", "patch", "/api/v1/cells/{cell}/members/{membership}/", {"role": "manager"}, admins(200)),
    ("member remove", "delete", "/api/v1/cells/{cell}/members/{membership}/", None, admins(204)),
    # Public by design: the token endpoint (each user sends their own password;
    # anonymous sends nothing) and the schema and its docs.
    ("token", "post", "/api/v1/auth/token/", "credentials", expect(200, 200, 200, 200, 200, 400)),
    ("schema", "get", "/api/schema/", None, expect(200, 200, 200, 200, 200, 200)),
    ("docs", "get", "/api/docs/", None, expect(200, 200, 200, 200, 200, 200)),
]

PAGES = [
    # The outsider works in their own cell: the list and the creation form are theirs.
    ("incident list page", "get", "/", None, readers(200, outsider=200, anonymous=LOGIN)),
    ("create page", "get", "/incidents/new/", None, contributors(200, outsider=200, anonymous=LOGIN)),
    (
        "create page post",
        "post",
        "/incidents/new/",
        {"title": "Spike", "crisis_type": "other", "severity": "3"},
        contributors(302, outsider=302, anonymous=LOGIN),
    ),
    ("detail page", "get", "/incidents/{incident}/", None, readers(200, anonymous=LOGIN)),
    ("edit page", "get", "/incidents/{incident}/edit/", None, contributors(200, anonymous=LOGIN)),
    (
        "edit page post",
        "post",
        "/incidents/{incident}/edit/",
        {"title": "Renamed", "crisis_type": "other", "severity": "2"},
        contributors(302, anonymous=LOGIN),
    ),
    (
        "transition post watch -> alert",
        "post",
        "/incidents/{incident}/transition/",
        {"to": "alert", "expected_level": "watch", "reason": "Spike"},
        contributors(302, anonymous=LOGIN),
    ),
    (
        "transition post watch -> crisis",
        "post",
        "/incidents/{incident}/transition/",
        {"to": "crisis", "expected_level": "watch", "reason": "Storm"},
        managers(302, anonymous=LOGIN),
    ),
    ("transition get", "get", "/incidents/{incident}/transition/", None, expect(405, 405, 405, 405, 405, LOGIN)),
    (
        "log post",
        "post",
        "/incidents/{incident}/log/",
        {"text": "Seen on X", "category": "information"},
        contributors(302, anonymous=LOGIN),
    ),
    ("members page", "get", "/cells/{cell}/members/", None, readers(200, anonymous=LOGIN)),
    (
        "members page post",
        "post",
        "/cells/{cell}/members/",
        {"username": "nina", "role": "member"},
        admins(302, anonymous=LOGIN),
    ),
    ("cell switch", "post", "/cells/switch/", {"cell": "{cell}"}, readers(302, anonymous=LOGIN)),
    # Not staff: the admin site sends everyone to its own login page.
    ("admin site", "get", "/admin/", None, expect(302, 302, 302, 302, 302, 302)),
]


@shared_fixture
def shared_ids(people) -> dict[str, int]:
    """Built once for the module (tests/shared.py); each row's writes are rolled back."""
    UserFactory(username="nina")
    return {
        "incident": people.incident,
        "cell": people.cell,
        "entry": LogEntry.objects.get(incident=people.incident).pk,
        "membership": Membership.objects.get(cell=people.cell, user=people.users["member2"]).pk,
    }


@pytest.fixture
def scene(shared_ids):
    return shared_ids  # throttles count from zero: each test has its own cache prefix (conftest)


def fill(body, scene):
    """The body with the scene's ids; an id alone is sent as the JSON number the API takes."""
    if isinstance(body, dict):
        filled = {key: (value.format(**scene) if isinstance(value, str) else value) for key, value in body.items()}
        return {
            key: int(value) if isinstance(value, str) and body[key] in ("{cell}",) else value
            for key, value in filled.items()
        }
    return body


def matrix(rows):
    return [
        pytest.param(method, url, body, role, expected[role], id=f"{name} / {role}")
        for name, method, url, body, expected in rows
        for role in ROLES
    ]


@pytest.mark.parametrize(("method", "url", "body", "role", "status"), matrix(API))
def test_api(api, users, scene, method, url, body, role, status):
    user = None if role == "anonymous" else users[role]
    client = api() if body == "credentials" else api(user)
    if body == "credentials":
        body = {"username": user.username, "password": PASSWORD} if user else {}
    response = getattr(client, method)(url.format(**scene), fill(body, scene), format="json")
    assert response.status_code == status, getattr(response, "data", None)
    if status == 401:
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "url", "body", "role", "status"), matrix(PAGES))
def test_pages(client, users, scene, method, url, body, role, status):
    if role != "anonymous":
        client.force_login(users[role])
    url = url.format(**scene)
    response = getattr(client, method)(url, fill(body, scene) or {})
    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == status
