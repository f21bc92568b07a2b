"""Query counts of the list endpoints and pages, pinned: the same with 3 rows as with 30.

A count that grows with the rows is an N+1 (a foreign key read per row, a
role looked up per incident...). When a change adds a query on purpose,
update the pin and say why in the commit.
"""

import pytest

from incidents import services
from incidents.models import Incident

from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

SIZES = [3, 30]


@pytest.fixture
def populate(cell, users):
    """n incidents of every level, with owners; the first one with n log entries of every kind and author."""

    def make(n: int) -> Incident:
        member, manager = users["member"], users["manager"]
        people = [users[key] for key in ("member", "member2", "manager", "admin")]
        incidents = [
            services.incident_create(
                actor=member,
                cell=cell,
                title=f"Incident {i}",
                owner=people[i % len(people)],
                severity=(i % 4) + 1,
                is_exercise=i % 5 == 0,
            )
            for i in range(n)
        ]
        for i, incident in enumerate(incidents):
            for level in (["alert"], ["crisis"], ["crisis", "recovery"], ["closed"], [])[i % 5]:
                services.incident_transition(actor=manager, incident=incident, to_level=level, reason="r")
        first = incidents[0]
        previous = None
        for i in range(n):
            author = people[i % len(people)]
            if i % 3 == 2 and previous is not None:
                services.log_entry_add(actor=author, incident=first, text=f"Fix {i}", corrects=previous)
            else:
                previous = services.log_entry_add(actor=author, incident=first, text=f"Entry {i}", category="action")
            if i % 4 == 0:
                # Owner changes: the page names the people of "edited" entries.
                services.incident_update(actor=member, incident=first, owner=people[(i // 4 + 1) % len(people)])
        return first

    return make


# API: the page of rows, the membership joined (scope, and the role for allowed_transitions);
# no COUNT while the first page is not full (its length is the count). Issue 12: was 4.
API_INCIDENT_LIST = 1
# API: the incident with the membership joined, the page of entries (with actor); the count
# is the incident's log counter (keyset pages by default). Issue 12: was 4.
API_LOG_LIST = 2
# API: page of cells, the user's roles (my_role); no COUNT on a first page that is not full.
API_CELL_LIST = 2
# API: the membership, page of members (with user); no COUNT, as above.
API_MEMBER_LIST = 2
# Page: session, user, memberships (cell switcher), count, page of rows (the membership scope
# joined since issue 12), unread notifications (the top bar's badge).
PAGE_INCIDENT_LIST = 6
# Page: session, user, incident with the membership joined (issue 12), log page, corrections
# (prefetch), owners named in edits, memberships (cell switcher), level history,
# unread badge (the log's count is its counter since issue 12); the panels of issue 3,
# empty here: claims,
# the cell's review cadence, facts, the cell's fact policy, statements (the flagged ones
# read from them since issue 12); the chat
# (empty here). (With facts, claims, statements and chat messages, their prefetches
# add 7: see tests/incidents/test_pages_workspace.py, which pins the full page.)
# + the summary at the top (issue 9): latest approved statement, open claims, unverified
# facts, pinned key decisions [4]; + the crisis log's latest verification (its card, issue 10).
# + the checklist card (issue 15): counts per level, the tasks, the members who can hold one [3];
# + the activation card: the latest activation (its answers only when there is one) [1].
# + what is said online (issue 13): the alerts attached to the incident [1] (none here).
# + the response queue's card (issue 14): one aggregate, answered and open times, urgent items [4].
PAGE_INCIDENT_DETAIL = 29


@pytest.mark.parametrize("n", SIZES)
def test_api_incident_list(api, member, populate, django_assert_num_queries, n):
    populate(n)
    client = api(member)
    with django_assert_num_queries(API_INCIDENT_LIST):
        response = client.get("/api/v1/incidents/", {"page_size": 100})
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", SIZES)
def test_api_incident_list_filtered_and_ordered(api, member, populate, django_assert_num_queries, n):
    populate(n)
    client = api(member)
    with django_assert_num_queries(API_INCIDENT_LIST):
        response = client.get("/api/v1/incidents/", {"level": ["watch", "crisis"], "ordering": "-severity"})
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_api_incident_list_full_page_counts(api, member, populate, django_assert_num_queries, n):
    populate(n)
    client = api(member)
    with django_assert_num_queries(API_INCIDENT_LIST + 1):  # a full page: the COUNT, for the links
        response = client.get("/api/v1/incidents/", {"page_size": 2})
    assert response.json()["count"] == n and len(response.json()["results"]) == 2


@pytest.mark.parametrize("n", SIZES)
def test_api_log_list(api, observer, populate, django_assert_num_queries, n):
    incident = populate(n)
    client = api(observer)
    with django_assert_num_queries(API_LOG_LIST):
        response = client.get(f"/api/v1/incidents/{incident.pk}/log/", {"page_size": 200})
    assert response.json()["count"] >= n


@pytest.mark.parametrize("n", SIZES)
def test_api_cell_and_member_lists(api, member, cell, populate, django_assert_num_queries, n):
    populate(n)
    client = api(member)
    with django_assert_num_queries(API_CELL_LIST):
        assert client.get("/api/v1/cells/").status_code == 200
    with django_assert_num_queries(API_MEMBER_LIST):
        assert client.get(f"/api/v1/cells/{cell.pk}/members/").status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_page_incident_list(client, member, populate, django_assert_num_queries, n):
    populate(n)
    client.force_login(member)
    with django_assert_num_queries(PAGE_INCIDENT_LIST):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.count(b"Incident ") >= min(n, 25)  # one page


@pytest.mark.parametrize("n", SIZES)
def test_page_incident_detail(client, member, populate, django_assert_num_queries, n):
    incident = populate(n)
    client.force_login(member)
    with django_assert_num_queries(PAGE_INCIDENT_DETAIL):
        response = client.get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    assert b"Entry 0" in response.content
