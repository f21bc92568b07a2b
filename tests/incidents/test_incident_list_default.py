"""The default incident list (no filter, default order, first page) takes a prepared query (issue 12):
the same answer as the general path, counts and links included, and 404/400 as before."""

import pytest

from incidents import services

pytestmark = pytest.mark.django_db


def general(api, user, **params):
    # `ordering` given explicitly (the default one) forces the general path.
    return api(user).get("/api/v1/incidents/", {"ordering": "-updated_at,-id", **params}).json()


def test_same_answer_as_the_general_path(api, member, observer, cell, other_cell, outsider):
    for i in range(3):
        services.incident_create(actor=member, cell=cell, title=f"Incident {i}", severity=2)
    services.incident_create(actor=outsider, cell=other_cell, title="Not ours")
    for user in (member, observer, outsider):
        fast = api(user).get("/api/v1/incidents/").json()
        assert fast == general(api, user)
    assert [row["title"] for row in api(member).get("/api/v1/incidents/").json()["results"]] == [
        "Incident 2",
        "Incident 1",
        "Incident 0",
    ]
    # The moves each role may make come from the joined membership, as before.
    member_rows = api(member).get("/api/v1/incidents/").json()["results"]
    observer_rows = api(observer).get("/api/v1/incidents/").json()["results"]
    assert member_rows[0]["allowed_transitions"] and observer_rows[0]["allowed_transitions"] == []


@pytest.mark.parametrize("n", [2, 3, 4])
def test_counts_and_links_around_a_full_page(api, member, cell, n):
    for i in range(n):
        services.incident_create(actor=member, cell=cell, title=f"Incident {i}", severity=2)
    fast = api(member).get("/api/v1/incidents/", {"page_size": 3}).json()
    slow = general(api, member, page_size=3)
    assert fast["count"] == slow["count"] == n
    assert [r["id"] for r in fast["results"]] == [r["id"] for r in slow["results"]]
    assert (fast["next"] is None) == (slow["next"] is None) == (n <= 3)


def test_a_bad_page_size_is_still_a_400(api, member):
    assert api(member).get("/api/v1/incidents/", {"page_size": "0"}).status_code == 400
    assert api(member).get("/api/v1/incidents/?page_size=2&page_size=3").status_code == 400


def test_anonymous_is_refused(api):
    assert api().get("/api/v1/incidents/").status_code in (401, 403)
