import pytest

from facts.models import Fact, FactStatus

from .helpers import SOURCE, make_fact, make_statement, published

pytestmark = pytest.mark.django_db


def facts_url(incident, *rest):
    return "/".join([f"/api/v1/incidents/{incident.pk}/facts", *map(str, rest), ""])


def test_create_then_read_with_an_etag(api, incident, member):
    response = api(member).post(facts_url(incident), {"text": "Batch 42 recalled", "sources": [SOURCE]})
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "unverified" and body["version"] == 1
    assert body["sources"][0]["reference"] == SOURCE["reference"]
    assert response["ETag"] == body["etag"] == f'"fact-{body["id"]}-r1"'
    again = api(member).get(facts_url(incident, body["id"]))
    assert again.status_code == 200 and again["ETag"] == response["ETag"]


def test_an_edit_needs_if_match_428_stale_412_current_200(api, incident, member):
    fact = make_fact(incident, member)
    client = api(member)
    assert client.patch(facts_url(incident, fact.pk), {"text": "New"}).status_code == 428
    stale = client.patch(facts_url(incident, fact.pk), {"text": "New"}, HTTP_IF_MATCH='"fact-1-r0"')
    assert stale.status_code == 412 and stale.json()["etag"] == fact.etag
    ok = client.patch(facts_url(incident, fact.pk), {"text": "New", "note": "typo"}, HTTP_IF_MATCH=fact.etag)
    assert ok.status_code == 200, ok.data
    assert ok.json()["version"] == 2 and ok["ETag"] != fact.etag
    # The same If-Match again is now stale: nothing is overwritten blindly.
    assert client.patch(facts_url(incident, fact.pk), {"text": "Other"}, HTTP_IF_MATCH=fact.etag).status_code == 412
    assert Fact.objects.get(pk=fact.pk).text == "New"


def test_versions_and_diff(api, incident, member):
    fact = make_fact(incident, member, text="A\nB")
    api(member).patch(facts_url(incident, fact.pk), {"text": "A\nC"}, HTTP_IF_MATCH=fact.etag)
    versions = api(member).get(facts_url(incident, fact.pk, "versions")).json()
    assert [v["number"] for v in versions] == [2, 1]
    diff = api(member).get(facts_url(incident, fact.pk, "diff"), {"from": 1, "to": 2}).json()
    assert diff["lines"] == [
        {"op": "equal", "text": "A"},
        {"op": "delete", "text": "B"},
        {"op": "insert", "text": "C"},
    ]
    assert "-B" in diff["unified"] and "+C" in diff["unified"]
    assert api(member).get(facts_url(incident, fact.pk, "diff"), {"from": 1}).status_code == 400
    assert api(member).get(facts_url(incident, fact.pk, "diff"), {"from": 1, "to": 7}).status_code == 404


def test_verify_refute_retract(api, incident, member, manager):
    fact = make_fact(incident, member)
    own = api(member).post(facts_url(incident, fact.pk, "verify"))
    assert own.status_code == 403 and "Four-eyes" in own.json()["detail"]
    verified = api(manager).post(facts_url(incident, fact.pk, "verify"))
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    again = api(manager).post(facts_url(incident, fact.pk, "verify"))
    assert again.status_code == 409 and again.json()["current"] == {"status": "verified"}
    no_reason = api(manager).post(facts_url(incident, fact.pk, "retract"), {})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    retracted = api(manager).post(facts_url(incident, fact.pk, "retract"), {"reason": "Lab report corrected"})
    assert retracted.status_code == 200 and retracted.json()["status"] == "retracted"
    refuted = api(manager).post(facts_url(incident, make_fact(incident, member).pk, "refute"), {"reason": "Fake"})
    assert refuted.json()["status"] == "refuted" and refuted.json()["reason"] == "Fake"


def test_adding_a_source(api, incident, member):
    fact = make_fact(incident, member)
    response = api(member).post(
        facts_url(incident, fact.pk, "sources"), {"kind": "witness", "reference": "Plant manager"}
    )
    assert response.status_code == 201 and len(response.json()["sources"]) == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "x"},
        {"text": "x", "sources": []},
        {"text": "x", "sources": [{"kind": "url", "reference": "nope"}]},
        {"text": "x", "sources": [{"kind": "gossip", "reference": "a"}]},
        {"text": "x" * 2001, "sources": [SOURCE]},
        {"text": 12, "sources": "not a list"},
        {"text": "x", "sources": [SOURCE], "status": "verified"},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api, incident, member, body):
    response = api(member).post(facts_url(incident), body, format="json")
    assert response.status_code == 400, response.data
    assert not Fact.objects.exists()


def test_unknown_and_foreign_ids_are_404(api, incident, foreign_incident, member, outsider):
    foreign = make_fact(foreign_incident, outsider)
    assert api(member).get(facts_url(incident, foreign.pk)).status_code == 404
    assert api(member).get(facts_url(incident, 99999)).status_code == 404
    assert api(member).get(facts_url(foreign_incident)).status_code == 404
    assert api(member).post(facts_url(incident, foreign.pk, "verify")).status_code == 404
    assert api(member).get(f"/api/v1/incidents/{incident.pk}/facts/abc/").status_code == 404


def test_the_list_filters_by_status_and_puts_unverified_first(api, incident, member, manager):
    verified = make_fact(incident, member, verifier=manager, text="V")
    pending = make_fact(incident, member, text="P")
    listed = api(member).get(facts_url(incident)).json()["results"]
    assert [f["id"] for f in listed] == [pending.pk, verified.pk]
    only = api(member).get(facts_url(incident), {"status": "verified"}).json()["results"]
    assert [f["id"] for f in only] == [verified.pk]
    assert api(member).get(facts_url(incident), {"status": "bogus"}).status_code == 400


def test_the_list_query_count_does_not_grow_with_the_facts(api, incident, member, manager, django_assert_num_queries):
    client = api(member)
    for n in range(3):
        make_fact(incident, member, verifier=manager, text=f"Fact {n}")
    # The incident with the membership joined, the facts, their sources (the COUNT is
    # spared while the first page is not full; issue 12: was 5).
    with django_assert_num_queries(3):
        assert len(client.get(facts_url(incident)).json()["results"]) == 3
    for n in range(6):
        make_fact(incident, member, text=f"More {n}")
    with django_assert_num_queries(3):
        assert len(client.get(facts_url(incident)).json()["results"]) == 9


def test_retracting_through_the_api_flags_the_statement(api, incident, member, manager):
    fact = make_fact(incident, member, verifier=manager)
    statement = make_statement(incident, member, facts=[fact])
    published(statement, member, manager)
    api(manager).post(facts_url(incident, fact.pk, "retract"), {"reason": "Wrong"})
    body = api(member).get(f"/api/v1/incidents/{incident.pk}/statements/{statement.pk}/").json()
    assert body["needs_review"] is True and body["needs_review_facts"] == [fact.pk]
    assert Fact.objects.get(pk=fact.pk).status == FactStatus.RETRACTED
