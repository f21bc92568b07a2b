"""REST API v1, incidents: list / create / retrieve / PATCH / transition, pagination, filters, ordering."""

import datetime

import pytest

from incidents import services
from incidents.models import Incident, LogEntry, LogKind

from ..factories import MembershipFactory, UserFactory
from .support import counts, fast_password_hasher, state_of  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"
# The names API clients rely on (issue 2); extras may be added, never renamed.
INCIDENT_FIELDS = {
    "id",
    "cell",
    "title",
    "description",
    "crisis_type",
    "severity",
    "level",
    "owner",
    "is_exercise",
    "created_at",
    "updated_at",
}
INCIDENT_EXTRAS = {"level_changed_at", "allowed_transitions"}


def detail(incident) -> str:
    return f"{LIST}{incident.pk}/"


def transition(incident) -> str:
    return f"{LIST}{incident.pk}/transition/"


# --- Shape ------------------------------------------------------------------------------------


def test_retrieve_has_the_documented_fields(api, member, incident):
    response = api(member).get(detail(incident))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == INCIDENT_FIELDS | INCIDENT_EXTRAS
    assert body["id"] == incident.pk
    assert body["cell"] == incident.cell_id
    assert (body["level"], body["severity"], body["crisis_type"]) == ("watch", 2, "other")
    assert body["is_exercise"] is False
    assert body["owner"] is None
    assert body["allowed_transitions"] == ["alert"]
    # ISO 8601 with the offset of the zone in use: unambiguous for any client.
    assert datetime.datetime.fromisoformat(body["created_at"]) == incident.created_at


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("observer", []), ("member", ["alert"]), ("manager", ["alert", "crisis", "closed"])],
)
def test_allowed_transitions_follow_the_role(api, users, incident, role, allowed):
    assert api(users[role]).get(detail(incident)).json()["allowed_transitions"] == allowed


# --- List ------------------------------------------------------------------------------------------


def test_list_shows_only_the_users_cells(api, users, incident, foreign_incident):
    for role in ("observer", "member", "manager", "admin"):
        rows = api(users[role]).get(LIST).json()["results"]
        assert [row["id"] for row in rows] == [incident.pk]
    assert [row["id"] for row in api(users["outsider"]).get(LIST).json()["results"]] == [foreign_incident.pk]


def test_list_of_a_user_without_cell_is_empty(api, incident):
    assert api(UserFactory(username="nobody")).get(LIST).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_list_rows_have_the_documented_fields(api, member, incident):
    (row,) = api(member).get(LIST).json()["results"]
    assert set(row) == INCIDENT_FIELDS | INCIDENT_EXTRAS


@pytest.fixture
def many(cell, member, manager):
    """Seven incidents of `cell`, of several levels, types and severities."""
    made = []
    for n in range(7):
        made.append(
            services.incident_create(
                actor=member,
                cell=cell,
                title=f"Incident {n}",
                severity=(n % 4) + 1,
                crisis_type="rumour" if n % 2 else "product",
                is_exercise=n == 6,
            )
        )
    services.incident_transition(actor=manager, incident=made[1], to_level="alert", reason="r")
    services.incident_transition(actor=manager, incident=made[2], to_level="crisis", reason="r")
    return made


def test_pagination_with_page_size(api, member, many):
    first = api(member).get(LIST, {"page_size": 3}).json()
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert "page=2" in first["next"] and "page_size=3" in first["next"]
    last = api(member).get(LIST, {"page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = {
        row["id"]
        for page in (1, 2, 3)
        for row in api(member).get(LIST, {"page_size": 3, "page": page}).json()["results"]
    }
    assert seen == {i.pk for i in many}


def test_page_size_is_capped(api, member, many):
    assert len(api(member).get(LIST, {"page_size": 100000}).json()["results"]) == 7


def test_default_order_is_most_recently_updated_first(api, member, many):
    ids = [row["id"] for row in api(member).get(LIST).json()["results"]]
    # The two that changed level were updated last.
    assert ids[:2] == [many[2].pk, many[1].pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "alert"}, [1]),
        ({"level": ["alert", "crisis"]}, [1, 2]),
        ({"crisis_type": "rumour"}, [1, 3, 5]),
        ({"severity": "1"}, [0, 4]),
        ({"is_exercise": "true"}, [6]),
        ({"is_exercise": "false", "crisis_type": "product", "level": "watch"}, [0, 4]),
        ({"q": "incident 5"}, [5]),
    ],
)
def test_filters(api, member, many, params, expected):
    rows = api(member).get(LIST, params).json()["results"]
    assert sorted(row["id"] for row in rows) == sorted(many[n].pk for n in expected)


def test_filter_by_cell(api, member, many, other_cell, foreign_incident, cell):
    # A member of both cells filters one of them.
    MembershipFactory(cell=other_cell, user=member)
    everything = api(member).get(LIST).json()["count"]
    assert everything == 8
    assert {r["id"] for r in api(member).get(LIST, {"cell": other_cell.pk}).json()["results"]} == {foreign_incident.pk}
    assert api(member).get(LIST, {"cell": cell.pk}).json()["count"] == 7


@pytest.mark.parametrize(
    ("ordering", "key", "reverse"),
    [("severity", "severity", False), ("-severity", "severity", True), ("title", "title", False)],
)
def test_ordering(api, member, many, ordering, key, reverse):
    rows = api(member).get(LIST, {"ordering": ordering}).json()["results"]
    values = [row[key] for row in rows]
    assert values == sorted(values, reverse=reverse)


def test_unknown_ordering_field_is_ignored(api, member, many):
    assert api(member).get(LIST, {"ordering": "owner__password"}).status_code == 200


# --- Create --------------------------------------------------------------------------------------------


def test_member_creates(api, member, cell, users):
    response = api(member).post(
        LIST,
        {
            "cell": cell.pk,
            "title": "Fausse rumeur de rappel produit",
            "description": "Partagée 2 000 fois",
            "crisis_type": "rumour",
            "severity": 1,
            "owner": users["member2"].pk,
            "is_exercise": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == INCIDENT_FIELDS | INCIDENT_EXTRAS
    incident = Incident.objects.get(pk=body["id"])
    assert (incident.level, incident.created_by, incident.owner, incident.is_exercise) == (
        "watch",
        member,
        users["member2"],
        True,
    )
    assert body["level"] == "watch" and body["is_exercise"] is True
    assert LogEntry.objects.get(incident=incident).kind == LogKind.CREATED


def test_create_defaults(api, member, cell):
    body = api(member).post(LIST, {"cell": cell.pk, "title": "Minimal"}).json()
    assert (body["severity"], body["crisis_type"], body["is_exercise"], body["owner"]) == (3, "other", False, None)


# --- PATCH -------------------------------------------------------------------------------------------------


def test_member_edits_and_the_log_records_it(api, member, incident, users):
    response = api(member).patch(detail(incident), {"severity": 1, "owner": users["manager"].pk, "is_exercise": True})
    assert response.status_code == 200, response.json()
    assert (response.json()["severity"], response.json()["owner"], response.json()["is_exercise"]) == (
        1,
        users["manager"].pk,
        True,
    )
    edited = LogEntry.objects.get(incident=incident, kind=LogKind.EDITED)
    assert edited.data["changes"] == {
        "severity": [2, 1],
        "owner": [None, users["manager"].pk],
        "is_exercise": [False, True],
    }


def test_patch_with_the_same_values_changes_nothing(api, member, incident):
    before = state_of(incident)
    response = api(member).patch(detail(incident), {"title": incident.title})
    assert response.status_code == 200
    assert state_of(incident) == before


def test_patch_can_clear_the_owner(api, member, incident, users):
    services.incident_update(actor=member, incident=incident, owner=users["member2"])
    response = api(member).patch(detail(incident), {"owner": None})
    assert response.status_code == 200 and response.json()["owner"] is None


# --- Transition ---------------------------------------------------------------------------------------------


def test_transition_answers_the_updated_incident(api, manager, incident):
    response = api(manager).post(transition(incident), {"to": "crisis", "reason": "Reprise par la presse"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == INCIDENT_FIELDS | INCIDENT_EXTRAS
    assert body["id"] == incident.pk
    assert body["level"] == "crisis"
    assert body["allowed_transitions"] == ["alert", "recovery"]
    # (Reaching crisis also activates the cell: its entry follows the level change.)
    entry = LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED).order_by("-seq").first()
    assert (entry.kind, entry.text, entry.data, entry.actor) == (
        LogKind.LEVEL_CHANGED,
        "Reprise par la presse",
        {"from": "watch", "to": "crisis"},
        manager,
    )


def test_walk_from_watch_to_closed_through_the_api(api, manager, incident):
    client = api(manager)
    for level in ("alert", "crisis", "recovery", "closed"):
        response = client.post(transition(incident), {"to": level, "reason": f"Now {level}"})
        assert response.status_code == 200, response.json()
        assert response.json()["level"] == level
    assert client.get(detail(incident)).json()["allowed_transitions"] == ["alert"]
    assert LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED).count() == 4


def test_transition_with_expected_level(api, manager, incident):
    response = api(manager).post(transition(incident), {"to": "alert", "reason": "Spike", "expected_level": "watch"})
    assert response.status_code == 200


def test_stale_expected_level_is_409_with_the_current_level(api, users, incident):
    services.incident_transition(actor=users["member"], incident=incident, to_level="alert", reason="Spike")
    before = counts()
    response = api(users["manager"]).post(
        transition(incident), {"to": "crisis", "reason": "Storm", "expected_level": "watch"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current"] == {"level": "alert"}
    assert body["detail"]
    assert counts() == before


def test_refused_move_lists_what_is_allowed(api, manager, incident):
    services.incident_transition(actor=manager, incident=incident, to_level="crisis", reason="Storm")
    before = state_of(incident)
    # Labels in the request's language: ask in English.
    response = api(manager).post(transition(incident), {"to": "closed", "reason": "Done"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["to"][0]
    assert "Recovery" in message and "Alert" in message
    assert state_of(incident) == before


def test_patching_the_level_says_where_to_go(api, manager, incident):
    before = state_of(incident)
    response = api(manager).patch(detail(incident), {"level": "crisis"})
    assert response.status_code == 400
    assert "/transition/" in response.json()["level"][0]
    assert state_of(incident) == before


def test_empty_patch_is_refused(api, member, incident):
    before = state_of(incident)
    response = api(member).patch(detail(incident), {})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert state_of(incident) == before
