import pytest

from facts.models import Claim

from .helpers import make_fact

pytestmark = pytest.mark.django_db


def claims_url(incident, *rest):
    return "/".join([f"/api/v1/incidents/{incident.pk}/claims", *map(str, rest), ""])


def register(api, user, incident, **extra):
    body = {"text": "Hydra+ batteries explode", "where": "TikTok", "estimated_reach": 1000, "language": "fr", **extra}
    response = api(user).post(claims_url(incident), body)
    assert response.status_code == 201, response.data
    return response.json()


def test_register_and_read_a_claim(api, incident, member):
    body = register(api, member, incident)
    assert body["status"] == "circulating" and body["is_open"] is True
    assert body["age_seconds"] >= 0 and body["answered_by"] == [] and body["facts"] == []
    assert body["allowed_transitions"] == ["under_check", "faded"]
    assert api(member).get(claims_url(incident, body["id"])).json()["text"] == "Hydra+ batteries explode"


def test_observers_see_no_allowed_transitions(api, incident, member, observer):
    body = register(api, member, incident)
    assert api(observer).get(claims_url(incident, body["id"])).json()["allowed_transitions"] == []


def test_debunk_through_the_api(api, incident, member, manager):
    claim = register(api, member, incident)
    url = claims_url(incident, claim["id"])
    assert api(member).post(url + "transition/", {"to": "under_check"}).status_code == 200
    refused = api(member).post(url + "transition/", {"to": "debunked"})
    assert refused.status_code == 400 and "verified fact that refutes" in refused.json()["to"][0]
    fact = make_fact(incident, member, verifier=manager)
    linked = api(member).post(url + "facts/", {"fact": fact.pk, "relation": "refutes"})
    assert linked.status_code == 200 and linked.json()["facts"][0]["fact_status"] == "verified"
    done = api(member).post(url + "transition/", {"to": "debunked", "note": "Lab tests"})
    assert done.status_code == 200 and done.json()["status"] == "debunked" and done.json()["is_open"] is False


def test_stale_expected_status_is_a_409(api, incident, member):
    claim = register(api, member, incident)
    url = claims_url(incident, claim["id"], "transition")
    api(member).post(url, {"to": "under_check"})
    response = api(member).post(url, {"to": "faded", "expected_status": "circulating"})
    assert response.status_code == 409 and response.json()["current"] == {"status": "under_check"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "x", "estimated_reach": -5},
        {"text": "x", "url": "no"},
        {"text": "x", "language": "francais!"},
        {"text": "x", "first_seen_at": "yesterday"},
        {"text": "x", "first_seen_at": "2099-01-01T00:00:00Z"},
        {"text": "x", "status": "debunked"},
    ],
)
def test_bad_claims_are_400(api, incident, member, body):
    response = api(member).post(claims_url(incident), body, format="json")
    assert response.status_code == 400, response.data
    assert not Claim.objects.exists()


def test_bad_transitions_and_links(api, incident, foreign_incident, member, outsider):
    claim = register(api, member, incident)
    url = claims_url(incident, claim["id"])
    assert api(member).post(url + "transition/", {"to": "nonsense"}).status_code == 400
    assert api(member).post(url + "transition/", {"to": "confirmed"}).status_code == 400
    foreign = make_fact(foreign_incident, outsider)
    assert api(member).post(url + "facts/", {"fact": foreign.pk, "relation": "refutes"}).status_code == 404
    assert api(member).post(url + "facts/", {"fact": 1, "relation": "maybe"}).status_code == 400


def test_editing_a_claim(api, incident, member):
    claim = register(api, member, incident)
    response = api(member).patch(claims_url(incident, claim["id"]), {"estimated_reach": 50000})
    assert response.status_code == 200 and response.json()["estimated_reach"] == 50000
    assert api(member).patch(claims_url(incident, claim["id"]), {"status": "faded"}).status_code == 400


def test_the_register_query_count_does_not_grow(api, incident, member, manager, django_assert_num_queries):
    fact = make_fact(incident, member, verifier=manager)
    client = api(member)

    def add(n):
        for _ in range(n):
            claim = register(api, member, incident)
            client.post(claims_url(incident, claim["id"], "facts"), {"fact": fact.pk, "relation": "refutes"})

    add(2)
    # + the cell cadence, once; issue 12: the membership joined to the incident, no COUNT
    # while the first page is not full (was 8).
    with django_assert_num_queries(6):
        assert len(client.get(claims_url(incident)).json()["results"]) == 2
    add(4)
    with django_assert_num_queries(6):
        assert len(client.get(claims_url(incident)).json()["results"]) == 6


def test_a_claim_circulating_unanswered_too_long_is_flagged_overdue(api, incident, member):
    import datetime

    from django.utils import timezone

    old = register(api, member, incident, first_seen_at=(timezone.now() - datetime.timedelta(hours=2)).isoformat())
    new = register(api, member, incident)
    listed = {c["id"]: c["overdue"] for c in api(member).get(claims_url(incident)).json()["results"]}
    assert listed == {old["id"]: True, new["id"]: False}
