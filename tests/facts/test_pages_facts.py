"""The facts panel's forms and buttons, and a fact's page: good input, bad input, conflicts, escaping."""

import pytest
from django.urls import reverse

from facts import services
from facts.models import Fact, FactStatus
from statements.models import Statement
from tests.facts.helpers import make_fact, make_statement, published
from tests.pages import HOSTILE, HTMX, live_panel, parse, rows, state

pytestmark = pytest.mark.django_db


def add_url(incident):
    return reverse("facts:add", args=[incident.pk])


def page_url(fact):
    return reverse("facts:detail", args=[fact.incident_id, fact.pk])


def move_url(fact, action):
    return reverse("facts:move", args=[fact.incident_id, fact.pk, action])


GOOD = {"text": "The recall notice is a fake.", "source_kind": "url", "source_reference": "https://example.org/a"}


def fact_form(data: dict) -> dict:
    """The workspace's fact form prefixes its fields (several forms share the page)."""
    return {f"fact-{name}": value for name, value in data.items()}


# --- Recording a fact ---------------------------------------------------------------------------


def test_record_a_fact_with_two_sources(as_user, incident, users):
    data = {**GOOD, "source_note": "Official", "extra_kind": "witness", "extra_reference": "Lea, legal"}
    response = as_user("member").post(add_url(incident), fact_form(data))
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.pk]) + "#facts"
    fact = Fact.objects.get()
    assert (fact.text, fact.status, fact.created_by) == (GOOD["text"], "unverified", users["member"])
    assert [(s.kind, s.reference) for s in fact.sources.all()] == [
        ("url", "https://example.org/a"),
        ("witness", "Lea, legal"),
    ]


def test_record_a_fact_through_htmx_swaps_the_form_and_the_panel(as_user, incident):
    response = as_user("member").post(add_url(incident), fact_form(GOOD), headers=HTMX)
    assert response.status_code == 200
    fact = Fact.objects.get()
    root = parse(response.content)
    (form,) = root.with_attr("id", "fact-add")
    assert "recorded" in form.text()
    assert not form.with_attr("name", "fact-text")[0].text().strip()  # cleared for the next one
    panel = live_panel(root, "facts")
    assert panel.attrs["hx-swap-oob"] == "true"
    assert panel.with_attr("data-item", f"fact-{fact.pk}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**GOOD, "text": ""}, "This field is required."),
        ({**GOOD, "text": "   "}, "This field is required."),
        ({**GOOD, "source_reference": ""}, "This field is required."),
        ({**GOOD, "source_reference": "not a link"}, "is not a web link"),
        ({**GOOD, "source_reference": "javascript:alert(1)"}, "is not a web link"),
        ({**GOOD, "source_kind": "rumour"}, "Select a valid choice"),
        ({**GOOD, "text": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_record_a_fact_refused(as_user, incident, data, message):
    before = rows()
    client = as_user("member")
    response = client.post(add_url(incident), fact_form(data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b'id="fact-add" open' in response.content  # the form shows, open, with what was typed
    response = client.post(add_url(incident), fact_form(data), headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert b"hx-swap-oob" not in response.content
    assert rows() == before


# --- Moves: verify, refute, retract ------------------------------------------------------------


def test_verify_from_the_panel_returns_to_the_workspace(as_user, incident, users):
    fact = make_fact(incident, users["member2"])
    response = as_user("member").post(move_url(fact, "verify"), {"return_to": "workspace"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/incidents/{incident.pk}/#facts")
    fact.refresh_from_db()
    assert (fact.status, fact.verified_by) == ("verified", users["member"])


def test_verify_own_fact_is_refused_by_four_eyes(as_user, incident, users):
    fact = make_fact(incident, users["member"])
    before = rows()
    response = as_user("member").post(move_url(fact, "verify"), {"return_to": "workspace"})
    assert response.status_code == 403
    assert "someone else must verify it" in response.content.decode()
    assert rows() == before
    assert Fact.objects.get(pk=fact.pk).status == "unverified"


def test_verify_a_fact_refuted_meanwhile_is_a_conflict_with_the_fresh_state(as_user, incident, users):
    fact = make_fact(incident, users["member2"])
    client = as_user("member")
    client.get(reverse("incidents:detail", args=[incident.pk]))  # the page with its Verify button
    services.fact_refute(actor=users["manager"], fact=fact, reason="Fake screenshot")
    before = state(fact)
    response = client.post(move_url(fact, "verify"), {"return_to": "workspace"})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Cannot verify this fact: it is Refuted" in content
    panel = live_panel(parse(content), "facts")
    assert panel.with_attr("data-status", "refuted")
    assert state(fact) == before
    # From the fact's page, the page comes back.
    response = client.post(move_url(fact, "verify"), {"return_to": "page"})
    assert response.status_code == 409
    assert "Fake screenshot" in response.content.decode()


def test_refute_with_a_reason_from_the_page(as_user, incident, users):
    fact = make_fact(incident, users["member2"])
    response = as_user("member").post(move_url(fact, "refute"), {"reason": "Doctored photo", "return_to": "page"})
    assert response.status_code == 302
    assert response["Location"] == page_url(fact)
    fact.refresh_from_db()
    assert (fact.status, fact.reason, fact.closed_by) == ("refuted", "Doctored photo", users["member"])


def test_retract_needs_a_reason(as_user, incident, users):
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    before = rows()
    response = as_user("member").post(move_url(fact, "retract"), {"reason": "  ", "return_to": "page"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Say why the fact is retracted" in content
    assert 'id="retract" open' in content
    assert rows() == before


def test_retract_flags_the_statements_citing_it(as_user, incident, users):
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    statement = make_statement(incident, users["member"], facts=[fact])
    published(statement, users["member"], users["manager"])
    page = as_user("member").get(page_url(fact)).content.decode()
    assert "will be flagged" in page  # the retract form warns
    response = as_user("member").post(move_url(fact, "retract"), {"reason": "New test", "return_to": "page"})
    assert response.status_code == 302
    assert Statement.objects.get(pk=statement.pk).needs_review
    page = as_user("manager").get(page_url(fact)).content.decode()
    assert "Needs review" in page


def test_unknown_move_is_404(as_user, incident, users):
    fact = make_fact(incident, users["member2"])
    url = f"/incidents/{incident.pk}/facts/{fact.pk}/approve/"
    assert as_user("member").post(url).status_code == 404


# --- A fact's page ------------------------------------------------------------------------------


def test_fact_page_shows_text_sources_history_claims_and_statements(as_user, incident, users):
    from facts import claims

    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    claim = claims.claim_create(actor=users["member"], incident=incident, text="All batches recalled")
    claims.claim_link_fact(actor=users["member"], claim=claim, fact=fact, relation="refutes")
    statement = make_statement(incident, users["member"], facts=[fact])
    content = as_user("observer").get(page_url(fact)).content.decode()
    assert fact.text in content
    assert "Official notice" in content  # the source's note
    assert "Refutes" in content and "All batches recalled" in content
    assert statement.title in content
    assert str(users["manager"]) in content  # who verified it
    # Observers read only.
    assert "<form" not in content.split("<main")[1].replace('class="diff-form"', "")


def test_edit_an_unverified_fact_keeps_its_history_and_shows_the_diff(as_user, incident, users):
    fact = make_fact(incident, users["member2"], text="Line one\nLine two")
    client = as_user("member")
    response = client.post(
        reverse("facts:edit", args=[incident.pk, fact.pk]),
        {"text": "Line one\nLine 2, corrected", "note": "typo", "revision": fact.revision},
    )
    assert response.status_code == 302
    fact.refresh_from_db()
    assert fact.version == 2
    content = client.get(page_url(fact)).content.decode()
    # The last change is shown by default.
    assert "<del>Line two</del>" in content and "<ins>Line 2, corrected</ins>" in content
    content = client.get(page_url(fact) + "?from=2&to=1").content.decode()
    assert "<del>Line 2, corrected</del>" in content


def test_bad_diff_request_is_a_400_with_the_message(as_user, incident, users):
    fact = make_fact(incident, users["member2"])
    response = as_user("member").get(page_url(fact) + "?from=7&to=x")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_edit_with_a_stale_revision_is_a_conflict_that_keeps_the_text(as_user, incident, users):
    fact = make_fact(incident, users["member2"])
    services.fact_add_source(actor=users["manager"], fact=fact, kind="witness", reference="Lea")  # revision 2
    before = rows()
    response = as_user("member").post(
        reverse("facts:edit", args=[incident.pk, fact.pk]), {"text": "My careful rewording", "revision": 1}
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "This fact changed since you loaded it" in content
    assert "My careful rewording" in content
    assert 'name="revision" value="2"' in content
    assert rows() == before


def test_edit_a_verified_fact_is_a_conflict(as_user, incident, users):
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    response = as_user("member").post(
        reverse("facts:edit", args=[incident.pk, fact.pk]), {"text": "Changed", "revision": fact.revision}
    )
    assert response.status_code == 409
    assert "Only an unverified fact can be edited" in response.content.decode()
    assert Fact.objects.get(pk=fact.pk).text == fact.text


def test_add_a_source(as_user, incident, users):
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    client = as_user("member")
    url = reverse("facts:source-add", args=[incident.pk, fact.pk])
    before = rows()
    response = client.post(url, {"kind": "url", "reference": "ftp://example.org/x"})
    assert response.status_code == 400
    assert "is not a web link" in response.content.decode()
    assert rows() == before
    response = client.post(url, {"kind": "document", "reference": "QA report 12", "note": "p. 4"})
    assert response.status_code == 302
    assert fact.sources.filter(reference="QA report 12", note="p. 4").exists()


def test_fact_page_escapes_hostile_text(as_user, incident, users):
    fact = make_fact(incident, users["member2"], text=HOSTILE)
    services.fact_add_source(actor=users["member"], fact=fact, kind="witness", reference=HOSTILE, note=HOSTILE)
    content = as_user("member").get(page_url(fact)).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content
    assert "&lt;script&gt;" in content


@pytest.mark.parametrize("n", [2, 12])
def test_fact_page_query_count(client, incident, users, django_assert_num_queries, n):
    from facts import claims

    fact = make_fact(incident, users["member2"], text="v1")
    for i in range(n):
        services.fact_add_source(actor=users["member"], fact=fact, kind="witness", reference=f"W{i}")
        fact.refresh_from_db()
        fact = services.fact_edit(actor=users["member"], fact=fact, text=f"v{i + 2}", expected_revision=fact.revision)
        claim = claims.claim_create(actor=users["member"], incident=incident, text=f"Claim {i}")
        claims.claim_link_fact(actor=users["member"], claim=claim, fact=fact, relation="confirms")
        make_statement(incident, users["member"], facts=[fact])
    client.force_login(users["member"])
    # session, user, incident with the membership (one query since issue 12), the fact
    # (authorised), the fact again (with its people), sources, versions, fact policy,
    # memberships (context), unread badge, claims it settles, statements citing it.
    with django_assert_num_queries(12):
        response = client.get(page_url(fact))
    assert response.status_code == 200
    assert str(FactStatus.UNVERIFIED.label) in response.content.decode()
