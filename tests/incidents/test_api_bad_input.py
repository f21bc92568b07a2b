"""Every class of bad input, on every endpoint: a 4xx with field-level messages, never a 500, nothing written.

One table, one row per (endpoint, bad input): validation, unknown level,
missing reason, too-long text, wrong types, unknown fields, unknown ids (404),
other cell's objects (404; 400 when referenced from a body), not allowed (403).
After every refused request the database is exactly as before.
"""

from dataclasses import dataclass

import pytest
from django.db.models import Max

from cells.models import Cell, Membership
from incidents import services
from incidents.models import Incident, LogEntry

from ..factories import UserFactory
from ..shared import SHARED, shared_fixture, users_of
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = [pytest.mark.django_db, SHARED]


class Raw(str):
    """A body sent as is, not JSON-encoded (malformed JSON, a bare string...)."""


@dataclass
class Case:
    id: str
    method: str
    url: str  # formatted with the ids of the scene
    body: object = None
    status: int = 400
    field: str | None = None  # a key the error body must have
    role: str = "manager"


LONG = "x" * 201
INCIDENTS = "/api/v1/incidents/"
INCIDENT = "/api/v1/incidents/{incident}/"
TRANSITION = "/api/v1/incidents/{incident}/transition/"
LOG = "/api/v1/incidents/{incident}/log/"
NEW = {"cell": "{cell}", "title": "Spike"}


def new(**fields):
    return {**NEW, **fields}


CASES = [
    # --- POST /incidents/: validation and wrong types
    Case("create: no title", "post", INCIDENTS, {"cell": "{cell}"}, field="title"),
    Case("create: blank title", "post", INCIDENTS, new(title="  "), field="title"),
    Case("create: null title", "post", INCIDENTS, new(title=None), field="title"),
    Case("create: title > 200", "post", INCIDENTS, new(title=LONG), field="title"),
    Case("create: description > 10000", "post", INCIDENTS, new(description="x" * 10001), field="description"),
    Case("create: severity 'high'", "post", INCIDENTS, new(severity="high"), field="severity"),
    Case("create: severity 9", "post", INCIDENTS, new(severity=9), field="severity"),
    Case("create: severity 0", "post", INCIDENTS, new(severity=0), field="severity"),
    Case("create: severity 2.5", "post", INCIDENTS, new(severity=2.5), field="severity"),
    Case("create: unknown crisis type", "post", INCIDENTS, new(crisis_type="alien_invasion"), field="crisis_type"),
    Case("create: is_exercise 'maybe'", "post", INCIDENTS, new(is_exercise="maybe"), field="is_exercise"),
    Case("create: is_exercise list", "post", INCIDENTS, new(is_exercise=[True]), field="is_exercise"),
    Case("create: cell 'abc'", "post", INCIDENTS, new(cell="abc"), field="cell"),
    Case("create: no cell", "post", INCIDENTS, {"title": "Spike"}, field="cell"),
    Case("create: unknown cell", "post", INCIDENTS, new(cell=999999), field="cell"),
    Case("create: other cell", "post", INCIDENTS, new(cell="{other_cell}"), field="cell"),
    Case("create: owner not in the cell", "post", INCIDENTS, new(owner="{outsider}"), field="owner"),
    Case("create: owner in no shared cell", "post", INCIDENTS, new(owner=999999), field="owner"),
    Case("create: owner 'abc'", "post", INCIDENTS, new(owner="abc"), field="owner"),
    Case("create: level given", "post", INCIDENTS, new(level="crisis"), field="level"),
    Case("create: unknown field", "post", INCIDENTS, new(priority="P1"), field="priority"),
    Case("create: read-only field", "post", INCIDENTS, new(created_at="2020-01-01T00:00:00Z"), field="created_at"),
    Case("create: JSON list", "post", INCIDENTS, [NEW], field="non_field_errors"),
    Case("create: JSON string", "post", INCIDENTS, Raw('"Spike"'), field="non_field_errors"),
    Case("create: malformed JSON", "post", INCIDENTS, Raw('{"cell": 1, "title": '), field="detail"),
    Case("create: observer", "post", INCIDENTS, new(), status=403, role="observer"),
    Case("create: outsider in our cell", "post", INCIDENTS, new(), field="cell", role="outsider"),
    Case("create: anonymous", "post", INCIDENTS, new(), status=401, role="anonymous"),
    # --- GET /incidents/: filters
    Case("list: level=bogus", "get", INCIDENTS + "?level=bogus", field="level"),
    Case("list: crisis_type=bogus", "get", INCIDENTS + "?crisis_type=bogus", field="crisis_type"),
    Case("list: severity=high", "get", INCIDENTS + "?severity=high", field="severity"),
    Case("list: severity=9", "get", INCIDENTS + "?severity=9", field="severity"),
    Case("list: cell=abc", "get", INCIDENTS + "?cell=abc", field="cell"),
    Case("list: unknown cell", "get", INCIDENTS + "?cell=999999", field="cell"),
    Case("list: other cell", "get", INCIDENTS + "?cell={other_cell}", field="cell"),
    Case("list: page=abc", "get", INCIDENTS + "?page=abc", status=404),
    Case("list: page beyond the end", "get", INCIDENTS + "?page=99", status=404),
    Case("list: anonymous", "get", INCIDENTS, status=401, role="anonymous"),
    # --- GET / PATCH /incidents/{id}/
    Case("retrieve: unknown id", "get", "/api/v1/incidents/999999/", status=404),
    Case("retrieve: id 'abc'", "get", "/api/v1/incidents/abc/", status=404),
    Case("retrieve: other cell's incident", "get", "/api/v1/incidents/{foreign}/", status=404),
    Case("patch: level", "patch", INCIDENT, {"level": "crisis"}, field="level"),
    Case("patch: level and a valid field", "patch", INCIDENT, {"level": "crisis", "title": "New"}, field="level"),
    Case("patch: level with a bad value", "patch", INCIDENT, {"level": "crisis", "severity": 9}, field="level"),
    Case("patch: bad value with a level", "patch", INCIDENT, {"level": "crisis", "severity": 9}, field="severity"),
    Case("patch: cell", "patch", INCIDENT, {"cell": "{other_cell}"}, field="cell"),
    Case("patch: id", "patch", INCIDENT, {"id": 12}, field="id"),
    Case("patch: nothing", "patch", INCIDENT, {}, field="non_field_errors"),
    Case("patch: blank title", "patch", INCIDENT, {"title": ""}, field="title"),
    Case("patch: title > 200", "patch", INCIDENT, {"title": LONG}, field="title"),
    Case("patch: severity 'high'", "patch", INCIDENT, {"severity": "high"}, field="severity"),
    Case("patch: severity 9", "patch", INCIDENT, {"severity": 9}, field="severity"),
    Case("patch: is_exercise 'maybe'", "patch", INCIDENT, {"is_exercise": "maybe"}, field="is_exercise"),
    Case("patch: crisis type", "patch", INCIDENT, {"crisis_type": "x"}, field="crisis_type"),
    Case("patch: owner outsider", "patch", INCIDENT, {"owner": "{outsider}"}, field="owner"),
    Case("patch: valid + invalid field", "patch", INCIDENT, {"title": "Fine", "severity": 9}, field="severity"),
    Case("patch: JSON list", "patch", INCIDENT, [{"title": "x"}], field="non_field_errors"),
    Case("patch: malformed JSON", "patch", INCIDENT, Raw("{title: x}"), field="detail"),
    Case("patch: observer", "patch", INCIDENT, {"title": "Mine"}, status=403, role="observer"),
    Case("patch: observer, bad input too", "patch", INCIDENT, {"severity": 9}, status=403, role="observer"),
    Case("patch: other cell's incident", "patch", "/api/v1/incidents/{foreign}/", {"title": "x"}, status=404),
    Case("patch: unknown id", "patch", "/api/v1/incidents/999999/", {"title": "x"}, status=404),
    Case("put: not allowed", "put", INCIDENT, new(), status=405),
    Case("delete: not allowed", "delete", INCIDENT, status=405),
    # --- POST /incidents/{id}/transition/
    Case("transition: no target", "post", TRANSITION, {"reason": "Spike"}, field="to"),
    Case("transition: unknown level", "post", TRANSITION, {"to": "panic", "reason": "Spike"}, field="to"),
    Case("transition: level as a list", "post", TRANSITION, {"to": ["alert"], "reason": "Spike"}, field="to"),
    Case("transition: no reason", "post", TRANSITION, {"to": "alert"}, field="reason"),
    Case("transition: blank reason", "post", TRANSITION, {"to": "alert", "reason": "   "}, field="reason"),
    Case("transition: null reason", "post", TRANSITION, {"to": "alert", "reason": None}, field="reason"),
    Case("transition: reason > 2000", "post", TRANSITION, {"to": "alert", "reason": "x" * 2001}, field="reason"),
    Case(
        "transition: unknown expected level",
        "post",
        TRANSITION,
        {"to": "alert", "reason": "r", "expected_level": "calm"},
        field="expected_level",
    ),
    Case("transition: refused move", "post", TRANSITION, {"to": "recovery", "reason": "Calmer"}, field="to"),
    Case("transition: same level", "post", TRANSITION, {"to": "watch", "reason": "Again"}, field="to"),
    Case("transition: level field", "post", TRANSITION, {"to": "alert", "reason": "r", "level": "x"}, field="level"),
    Case("transition: JSON list", "post", TRANSITION, [{"to": "alert"}], field="non_field_errors"),
    Case("transition: malformed JSON", "post", TRANSITION, Raw('{"to": "alert",'), field="detail"),
    Case(
        "transition: stale level",
        "post",
        TRANSITION,
        {"to": "alert", "reason": "r", "expected_level": "crisis"},
        status=409,
        field="current",
    ),
    Case("transition: role too weak", "post", TRANSITION, {"to": "crisis", "reason": "Storm"}, 403, role="member"),
    Case("transition: observer", "post", TRANSITION, {"to": "alert", "reason": "Spike"}, 403, role="observer"),
    Case("transition: observer, bad input", "post", TRANSITION, {"to": "panic"}, 403, role="observer"),
    Case(
        "transition: other cell", "post", "/api/v1/incidents/{foreign}/transition/", {"to": "alert", "reason": "r"}, 404
    ),
    Case("transition: unknown id", "post", "/api/v1/incidents/999999/transition/", {"to": "alert", "reason": "r"}, 404),
    Case("transition: GET", "get", TRANSITION, status=405),
    Case("transition: anonymous", "post", TRANSITION, {"to": "alert", "reason": "r"}, 401, role="anonymous"),
    # --- /incidents/{id}/log/
    Case("log: no text", "post", LOG, {"category": "action"}, field="text"),
    Case("log: blank text", "post", LOG, {"text": " \n "}, field="text"),
    Case("log: text > 5000", "post", LOG, {"text": "x" * 5001}, field="text"),
    Case("log: text as object", "post", LOG, {"text": {"a": 1}}, field="text"),
    Case("log: unknown category", "post", LOG, {"text": "t", "category": "gossip"}, field="category"),
    Case("log: not a link", "post", LOG, {"text": "t", "source_url": "not a link"}, field="source_url"),
    Case("log: javascript link", "post", LOG, {"text": "t", "source_url": "javascript:alert(1)"}, field="source_url"),
    Case(
        "log: link > 1000", "post", LOG, {"text": "t", "source_url": "https://e.org/" + "x" * 1000}, field="source_url"
    ),
    Case(
        "log: correct other cell's entry", "post", LOG, {"text": "t", "corrects": "{foreign_entry}"}, field="corrects"
    ),
    Case(
        "log: correct other incident's entry",
        "post",
        LOG,
        {"text": "t", "corrects": "{sibling_entry}"},
        field="corrects",
    ),
    Case("log: correct unknown entry", "post", LOG, {"text": "t", "corrects": 999999}, field="corrects"),
    Case("log: corrects 'abc'", "post", LOG, {"text": "t", "corrects": "abc"}, field="corrects"),
    Case("log: kind given", "post", LOG, {"text": "t", "kind": "created"}, field="kind"),
    Case("log: actor given", "post", LOG, {"text": "t", "actor": "{outsider}"}, field="actor"),
    Case("log: hash given", "post", LOG, {"text": "t", "hash": "0" * 64}, field="hash"),
    Case("log: JSON list", "post", LOG, [{"text": "t"}], field="non_field_errors"),
    Case("log: malformed JSON", "post", LOG, Raw("{'text': 't'}"), field="detail"),
    Case("log: observer", "post", LOG, {"text": "I saw it"}, status=403, role="observer"),
    Case("log: other cell's incident", "post", "/api/v1/incidents/{foreign}/log/", {"text": "t"}, 404),
    Case("log: unknown incident", "post", "/api/v1/incidents/999999/log/", {"text": "t"}, 404),
    Case("log list: other cell's incident", "get", "/api/v1/incidents/{foreign}/log/", status=404),
    Case("log entry: other cell's", "get", "/api/v1/incidents/{foreign}/log/{foreign_entry}/", status=404),
    Case("log entry: other incident's", "get", "/api/v1/incidents/{incident}/log/{sibling_entry}/", status=404),
    Case("log entry: unknown id", "get", "/api/v1/incidents/{incident}/log/999999/", status=404),
    Case("log entry: put", "put", "/api/v1/incidents/{incident}/log/{entry}/", {"text": "t"}, 405),
    Case("log entry: patch", "patch", "/api/v1/incidents/{incident}/log/{entry}/", {"text": "t"}, 405),
    Case("log entry: delete", "delete", "/api/v1/incidents/{incident}/log/{entry}/", status=405),
    Case("verify: other cell's incident", "get", "/api/v1/incidents/{foreign}/log/verify/", status=404),
    Case("verify: unknown incident", "get", "/api/v1/incidents/999999/log/verify/", status=404),
    # --- /cells/ and members
    Case("cell: other cell", "get", "/api/v1/cells/{other_cell}/", status=404),
    Case("cell: unknown", "get", "/api/v1/cells/999999/", status=404),
    Case("members: other cell", "get", "/api/v1/cells/{other_cell}/members/", status=404),
    Case(
        "members: add, not admin", "post", "/api/v1/cells/{cell}/members/", {"username": "nina", "role": "member"}, 403
    ),
    Case(
        "members: add, bad role",
        "post",
        "/api/v1/cells/{cell}/members/",
        {"username": "nina", "role": "boss"},
        field="role",
        role="admin",
    ),
    Case(
        "members: add to other cell",
        "post",
        "/api/v1/cells/{other_cell}/members/",
        {"username": "nina", "role": "member"},
        404,
        role="admin",
    ),
    Case(
        "members: re-role, bad role",
        "patch",
        "/api/v1/cells/{cell}/members/{membership}/",
        {"role": 3},
        role="admin",
        field="role",
    ),
    Case("members: JSON list", "post", "/api/v1/cells/{cell}/members/", [1], field="non_field_errors", role="admin"),
    Case("members: malformed JSON", "post", "/api/v1/cells/{cell}/members/", Raw("{"), field="detail", role="admin"),
]


@shared_fixture
def scene(people) -> dict[str, int]:
    """Built once for the module (tests/shared.py); each case's writes are rolled back."""
    UserFactory(username="nina")
    users = users_of(people)
    cell, other_cell = Cell.objects.get(pk=people.cell), Cell.objects.get(pk=people.other_cell)
    sibling = services.incident_create(actor=users["member"], cell=cell, title="Sibling incident")
    foreign = services.incident_create(actor=users["outsider"], cell=other_cell, title="Someone else's storm")
    return {
        "incident": people.incident,
        "foreign": foreign.pk,
        "cell": cell.pk,
        "other_cell": other_cell.pk,
        "outsider": users["outsider"].pk,
        "entry": LogEntry.objects.get(incident=people.incident).pk,
        "foreign_entry": LogEntry.objects.get(incident=foreign).pk,
        "sibling_entry": LogEntry.objects.get(incident=sibling).pk,
        "membership": Membership.objects.get(cell=cell, user=users["member"]).pk,
    }


def fill(value, ids: dict):
    """Put the scene's ids into the URL and body templates ("{incident}" -> 12)."""
    if isinstance(value, Raw):
        return value
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value and "}" in value and "'" not in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def database_state() -> dict:
    """Everything a refused request might have touched."""
    return {
        "incidents": list(Incident.objects.order_by("pk").values()),
        "log": LogEntry.objects.count(),
        "last_log": LogEntry.objects.aggregate(Max("pk")),
        "memberships": list(Membership.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(api, users, scene, case):
    client = api(None if case.role == "anonymous" else users[case.role])
    url = case.url.format(**scene)
    before = database_state()
    if isinstance(case.body, Raw):
        response = getattr(client, case.method)(url, str(case.body), content_type="application/json")
    elif case.body is None:
        response = getattr(client, case.method)(url)
    else:
        response = getattr(client, case.method)(url, fill(case.body, scene), format="json")
    assert response.status_code == case.status, getattr(response, "data", response.content)
    if case.field is not None:
        body = response.json()
        assert case.field in body, body
        # Field-level messages are lists of readable strings; `detail` (and 409's `current`) stand alone.
        message = body[case.field]
        if case.field == "detail":
            assert isinstance(message, str) and message
        elif case.field != "current":
            assert isinstance(message, list) and message and all(isinstance(m, str) and m for m in message)
    assert database_state() == before


def test_every_endpoint_has_bad_input_cases():
    """A new endpoint needs rows in the table above."""
    covered = {(case.method, case.url.split("?")[0]) for case in CASES}
    for expected in [
        ("post", INCIDENTS),
        ("get", INCIDENTS),
        ("patch", INCIDENT),
        ("post", TRANSITION),
        ("post", LOG),
        ("get", "/api/v1/incidents/{foreign}/log/verify/"),
        ("post", "/api/v1/cells/{cell}/members/"),
        ("patch", "/api/v1/cells/{cell}/members/{membership}/"),
    ]:
        assert expected in covered


@pytest.mark.parametrize(
    "url",
    [
        INCIDENTS,
        INCIDENT,
        TRANSITION,
        LOG,
        "/api/v1/incidents/{incident}/log/{entry}/",
        "/api/v1/incidents/{incident}/log/verify/",
        "/api/v1/cells/",
        "/api/v1/cells/{cell}/members/",
        "/api/v1/cells/{cell}/members/{membership}/",
    ],
)
def test_options_and_head_never_fail(api, users, scene, url):
    """Metadata requests build serializers too: they must not crash."""
    url = url.format(**scene)
    assert api(users["observer"]).options(url).status_code == 200
    assert api(users["observer"]).head(url).status_code in (200, 405)
