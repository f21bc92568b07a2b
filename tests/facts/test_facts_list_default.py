"""The default facts list takes a prepared query (core.api.base.PreparedFirstPageMixin, issue 12):
the same answer as the general path, in the same order, with the sources; roles as before."""

import pytest

from facts import services

pytestmark = pytest.mark.django_db

STATUSES = "status=unverified&status=verified&status=retracted&status=refuted"


def make_facts(incident, member, manager, n):
    facts = [
        services.fact_create(
            actor=member,
            incident=incident,
            text=f"Fact {i}",
            sources=[{"kind": "url", "reference": f"https://example.org/{i}"}, {"kind": "witness", "reference": "Ana"}],
        )
        for i in range(n)
    ]
    services.fact_verify(actor=manager, fact=facts[0])
    services.fact_refute(actor=manager, fact=facts[1], reason="Wrong")
    return facts


@pytest.mark.parametrize(("n", "page_size"), [(4, 25), (4, 3), (4, 4)])
def test_same_answer_as_the_general_path(api, incident, member, manager, observer, n, page_size):
    make_facts(incident, member, manager, n)
    url = f"/api/v1/incidents/{incident.pk}/facts/"
    fast = api(observer).get(f"{url}?page_size={page_size}").json()
    general = api(observer).get(f"{url}?page_size={page_size}&{STATUSES}").json()
    assert fast["results"] == general["results"]
    assert fast["count"] == general["count"] == n
    assert (fast["next"] is None) == (n <= page_size)
    assert [f["status"] for f in fast["results"]][:1] == ["unverified"]  # work to do first
    assert all(len(f["sources"]) == 2 for f in fast["results"])


def test_outsiders_still_get_404(api, incident, outsider, member, manager):
    make_facts(incident, member, manager, 2)
    assert api(outsider).get(f"/api/v1/incidents/{incident.pk}/facts/").status_code == 404


def test_query_count_is_constant(api, incident, member, manager, observer, django_assert_num_queries):
    make_facts(incident, member, manager, 5)
    # The incident with the membership, the facts, their sources.
    with django_assert_num_queries(3):
        assert api(observer).get(f"/api/v1/incidents/{incident.pk}/facts/").status_code == 200
