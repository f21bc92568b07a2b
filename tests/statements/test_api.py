import datetime

import pytest
from django.utils import timezone

from statements.models import Statement, StatementVersion, sha256_text
from tests.facts.helpers import approved, make_fact, make_statement, published, version

pytestmark = pytest.mark.django_db


def statements_url(incident, *rest):
    return "/".join([f"/api/v1/incidents/{incident.pk}/statements", *map(str, rest), ""])


def version_url(statement, number, *rest):
    return statements_url(statement.incident, statement.pk, "versions", number, *rest)


def test_draft_a_statement_citing_a_verified_fact(api, incident, member, manager):
    fact = make_fact(incident, member, verifier=manager)
    body = {
        "kind": "holding",
        "audience": "social",
        "language": "fr",
        "title": "Hydra+",
        "text": "Nous vérifions.",
        "cited_facts": [fact.pk],
    }
    response = api(member).post(statements_url(incident), body)
    assert response.status_code == 201, response.data
    created = response.json()
    assert created["latest_version"]["number"] == 1 and created["latest_version"]["status"] == "draft"
    assert created["published_version"] is None and created["needs_review"] is False
    draft = api(member).get(statements_url(incident, created["id"], "versions", 1))
    assert draft.status_code == 200
    assert draft["ETag"] == draft.json()["etag"]
    assert draft.json()["cited_facts"] == [{"id": fact.pk, "text": fact.text, "status": "verified", "fact_version": 1}]
    assert draft.json()["allowed_actions"] == ["submit", "edit"]
    assert draft.json()["copy_text"] is None


def test_the_whole_workflow_through_the_api(api, incident, member, manager):
    statement = make_statement(incident, member)
    assert api(member).post(version_url(statement, 1, "submit")).status_code == 200
    approve = api(manager).post(version_url(statement, 1, "approve"))
    assert approve.status_code == 200, approve.data
    assert approve.json()["text_sha256"] == sha256_text("We are aware and checking.")
    publish = api(manager).post(version_url(statement, 1, "publish"), {"channel": "website", "url": "https://ex.org/a"})
    assert publish.status_code == 200, publish.data
    body = publish.json()
    assert body["status"] == "published" and body["copy_text"] == "We are aware and checking."
    assert body["channel"] == "website" and body["published_url"] == "https://ex.org/a"
    detail = api(member).get(statements_url(incident, statement.pk)).json()
    assert detail["published_version"]["number"] == 1 and detail["review_due_at"] is not None
    withdraw = api(manager).post(version_url(statement, 1, "withdraw"), {"reason": "Superseded by the recall"})
    assert withdraw.status_code == 200 and withdraw.json()["status"] == "withdrawn"


def test_editing_a_draft_needs_if_match_and_editing_a_settled_version_makes_a_new_one(api, incident, member, manager):
    statement = make_statement(incident, member)
    draft = version(statement)
    client = api(member)
    assert client.patch(version_url(statement, 1), {"text": "New"}).status_code == 428
    assert client.patch(version_url(statement, 1), {"text": "New"}, HTTP_IF_MATCH='"x"').status_code == 412
    edited = client.patch(version_url(statement, 1), {"text": "New"}, HTTP_IF_MATCH=draft.etag)
    assert edited.status_code == 200 and edited.json()["text"] == "New" and edited["ETag"] != draft.etag
    approved(statement, member, manager)
    settled = version(statement)
    new = client.patch(version_url(statement, 1), {"text": "Newer"}, HTTP_IF_MATCH=settled.etag)
    assert new.status_code == 201, new.data
    assert new.json()["number"] == 2 and new.json()["status"] == "draft" and new.json()["based_on"] == 1
    assert StatementVersion.objects.get(statement=statement, number=1).text == "New"
    # v1 changed (its revision did not), but v2 is open: a second branch is refused.
    again = client.patch(version_url(statement, 1), {"text": "Fork"}, HTTP_IF_MATCH=settled.etag)
    assert again.status_code == 409 and again.json()["current"]["open_version"] == 2


def test_refusals_name_their_rule(api, incident, member, manager, users):
    pending = make_fact(incident, member, text="Not checked yet")
    statement = make_statement(incident, manager, facts=[pending])
    api(manager).post(version_url(statement, 1, "submit"))
    own = api(manager).post(version_url(statement, 1, "approve"))
    assert own.status_code == 403 and "Four-eyes" in own.json()["detail"]
    guard = api(users["admin"]).post(version_url(statement, 1, "approve"))
    assert guard.status_code == 400 and f"#{pending.pk}" in guard.json()["cited_facts"][0]
    by_member = api(member).post(version_url(statement, 1, "reject"), {"comment": "no"})
    assert by_member.status_code == 403
    no_comment = api(users["admin"]).post(version_url(statement, 1, "reject"), {})
    assert no_comment.status_code == 400 and "comment" in no_comment.json()
    wrong_state = api(users["admin"]).post(version_url(statement, 1, "publish"), {"channel": "web"})
    assert wrong_state.status_code == 409 and wrong_state.json()["current"]["status"] == "in_review"
    assert "only a version that is Approved" in wrong_state.json()["detail"]


def test_review_due_and_diff(api, incident, member, manager):
    statement = make_statement(incident, member, text="One\nTwo")
    live = published(statement, member, manager)
    later = (timezone.now() + datetime.timedelta(hours=3)).isoformat()
    assert (
        api(member).post(statements_url(incident, statement.pk, "review-due"), {"review_due_at": later}).status_code
        == 403
    )
    moved = api(manager).post(
        statements_url(incident, statement.pk, "review-due"), {"review_due_at": later, "reason": "Still accurate"}
    )
    assert moved.status_code == 200, moved.data
    api(member).patch(version_url(statement, 1), {"text": "One\nThree"}, HTTP_IF_MATCH=live.etag)
    diff = api(member).get(statements_url(incident, statement.pk, "diff"), {"from": 1, "to": 2}).json()
    assert [line["op"] for line in diff["lines"]] == ["equal", "delete", "insert"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "poem", "audience": "press", "title": "T", "text": "x"},
        {"kind": "holding", "audience": "aliens", "title": "T", "text": "x"},
        {"kind": "holding", "audience": "press", "title": "", "text": "x"},
        {"kind": "holding", "audience": "press", "title": "T", "text": ""},
        {"kind": "holding", "audience": "press", "title": "T", "text": "x", "language": "??"},
        {"kind": "holding", "audience": "press", "title": "T", "text": "x", "cited_facts": [424242]},
        {"kind": "holding", "audience": "press", "title": "T", "text": "x", "cited_facts": "1"},
        {"kind": "holding", "audience": "press", "title": "T", "text": "x", "status": "published"},
    ],
)
def test_bad_statements_are_400_and_write_nothing(api, incident, member, body):
    response = api(member).post(statements_url(incident), body, format="json")
    assert response.status_code == 400, response.data
    assert not Statement.objects.exists()


def test_bad_edits_and_actions(api, incident, member, manager):
    statement = make_statement(incident, member)
    draft = version(statement)
    client = api(member)
    assert client.patch(version_url(statement, 1), {}, HTTP_IF_MATCH=draft.etag).status_code == 400
    assert client.patch(version_url(statement, 1), {"status": "approved"}, HTTP_IF_MATCH=draft.etag).status_code == 400
    assert client.patch(statements_url(incident, statement.pk), {"kind": "qa"}).status_code == 400
    assert client.patch(statements_url(incident, statement.pk), {"text": "x"}).status_code == 400
    assert api(manager).post(version_url(statement, 1, "publish"), {"channel": "x", "url": "nope"}).status_code == 400
    assert version(statement).text == draft.text and version(statement).revision == draft.revision


def test_unknown_and_foreign_ids_are_404(api, incident, foreign_incident, member, outsider):
    foreign = make_statement(foreign_incident, outsider)
    mine = make_statement(incident, member)
    assert api(member).get(statements_url(incident, foreign.pk)).status_code == 404
    assert api(member).get(version_url(mine, 9)).status_code == 404
    assert api(member).get(statements_url(incident, foreign.pk, "versions")).status_code == 404
    assert api(member).post(statements_url(incident, foreign.pk, "versions", 1, "submit")).status_code == 404
    assert api(outsider).get(statements_url(incident)).status_code == 404


def test_list_query_counts_do_not_grow(api, incident, member, manager, django_assert_num_queries):
    client = api(member)
    fact = make_fact(incident, member, verifier=manager)

    def add(n):
        for _ in range(n):
            statement = make_statement(incident, member, facts=[fact])
            published(statement, member, manager)

    add(2)
    statement = Statement.objects.first()
    # Issue 12: the membership joined to the incident, no COUNT while the page is not full (was 6).
    with django_assert_num_queries(4):
        assert len(client.get(statements_url(incident)).json()["results"]) == 2
    # Issue 12: the incident and the statement's are read with the membership joined, no COUNT (was 9).
    with django_assert_num_queries(6):
        client.get(statements_url(incident, statement.pk, "versions"))
    add(4)
    with django_assert_num_queries(4):
        assert len(client.get(statements_url(incident)).json()["results"]) == 6
    for n in range(3):
        current = version(statement)
        client.patch(version_url(statement, current.number), {"text": f"v{n}"}, HTTP_IF_MATCH=current.etag)
        approved(statement, member, manager)
    with django_assert_num_queries(6):
        assert len(client.get(statements_url(incident, statement.pk, "versions")).json()["results"]) == 4
