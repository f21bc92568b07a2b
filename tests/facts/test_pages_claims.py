"""The claims panel's form and buttons, and a claim's page: status moves, evidence links, conflicts, escaping."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from facts import claims
from facts.models import Claim, ClaimFact
from incidents import services as incident_services
from tests.facts.helpers import make_fact, make_statement, published
from tests.pages import HOSTILE, HTMX, live_panel, local_input, parse, rows

pytestmark = pytest.mark.django_db


def add_url(incident):
    return reverse("facts:claim-add", args=[incident.pk])


def page_url(claim):
    return reverse("facts:claim-detail", args=[claim.incident_id, claim.pk])


def move_url(claim):
    return reverse("facts:claim-transition", args=[claim.incident_id, claim.pk])


def link_url(claim):
    return reverse("facts:claim-link", args=[claim.incident_id, claim.pk])


def claim_form(data: dict) -> dict:
    """The workspace's claim form prefixes its fields (several forms share the page)."""
    return {f"claim-{name}": value for name, value in data.items()}


@pytest.fixture
def claim(incident, users):
    return claims.claim_create(actor=users["member"], incident=incident, text="Hydra+ burns the skin", where="X")


# --- Registering a claim -------------------------------------------------------------------------


def test_register_a_claim(as_user, incident, users):
    seen = timezone.now() - datetime.timedelta(hours=1)
    data = {
        "text": "The factory is closing",
        "where": "Facebook group",
        "url": "https://example.org/post/1",
        "estimated_reach": "12000",
        "language": "pt-BR",
        "first_seen_at": local_input(seen),
    }
    response = as_user("member").post(add_url(incident), claim_form(data))
    assert response.status_code == 302
    assert response["Location"].endswith("#claims")
    claim = Claim.objects.get()
    assert (claim.text, claim.where, claim.estimated_reach, claim.language) == (
        "The factory is closing",
        "Facebook group",
        12000,
        "pt-BR",
    )
    # The browser's local time (Europe/Paris) is stored as the right instant.
    assert abs(claim.first_seen_at - seen) < datetime.timedelta(minutes=1)
    assert claim.created_by == users["member"]


def test_register_a_claim_through_htmx(as_user, incident):
    response = as_user("member").post(add_url(incident), claim_form({"text": "Rumour", "language": "fr"}), headers=HTMX)
    assert response.status_code == 200
    claim = Claim.objects.get()
    panel = live_panel(parse(response.content), "claims")
    assert panel.attrs["hx-swap-oob"] == "true"
    assert panel.with_attr("data-item", f"claim-{claim.pk}")
    assert "circulating for under a minute" in panel.text()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "language": "fr"}, "This field is required."),
        ({"text": "  ", "language": "fr"}, "This field is required."),
        ({"text": "x", "language": "french please"}, "Use a language code such as fr, en, pt-BR."),
        ({"text": "x", "language": "fr", "url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"text": "x", "language": "fr", "estimated_reach": "-5"}, "greater than or equal to 0"),
        ({"text": "x", "language": "fr", "first_seen_at": "tomorrow"}, "Enter a valid date/time."),
        ({"text": "x", "language": "fr", "first_seen_at": "2999-01-01T10:00"}, "cannot be first seen in the future"),
    ],
)
def test_register_a_claim_refused(as_user, incident, data, message):
    before = rows()
    client = as_user("member")
    response = client.post(add_url(incident), claim_form(data))
    assert response.status_code == 400
    assert message in response.content.decode()
    response = client.post(add_url(incident), claim_form(data), headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert rows() == before


# --- Status moves --------------------------------------------------------------------------------


def test_quick_move_from_the_panel(as_user, claim, incident):
    client = as_user("member")
    panel = parse(client.get(reverse("incidents:detail", args=[incident.pk])).content)
    (button,) = live_panel(panel, "claims").with_attr("data-to", "under_check")
    # The button submits the form outside the panel to its own action, which names the status it saw.
    assert button.attrs["formaction"] == move_url(claim) + "?expected_status=circulating"
    response = client.post(button.attrs["formaction"], {"to": "under_check", "return_to": "workspace"})
    assert response.status_code == 302
    assert response["Location"].endswith("#claims")
    assert Claim.objects.get(pk=claim.pk).status == "under_check"


def test_move_on_a_stale_view_is_a_conflict_with_the_fresh_state(as_user, claim, users):
    claims.claim_transition(actor=users["member2"], claim=claim, to_status="faded")
    before = rows()
    response = as_user("member").post(
        move_url(claim) + "?expected_status=circulating", {"to": "under_check", "return_to": "workspace"}
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone changed this claim meanwhile: it is now Faded" in content
    assert live_panel(parse(content), "claims").with_attr("data-status", "faded")
    assert rows() == before


def test_a_move_the_workflow_does_not_allow_is_a_400_with_the_rule(as_user, claim):
    before = rows()
    response = as_user("member").post(
        move_url(claim), {"to": "confirmed", "expected_status": "circulating", "return_to": "page"}
    )
    assert response.status_code == 400
    assert "A claim that is Circulating cannot become Confirmed" in response.content.decode()
    assert rows() == before


def test_debunk_needs_a_verified_refuting_fact(as_user, claim, incident, users):
    claims.claim_transition(actor=users["member"], claim=claim, to_status="under_check")
    client = as_user("member")
    debunk = {"to": "debunked", "expected_status": "under_check", "note": "Lab says no", "return_to": "page"}
    # In the panel, Debunk leads to the claim's page: no evidence yet.
    panel = client.get(reverse("facts:claims-panel", args=[incident.pk])).content.decode()
    assert f'href="{page_url(claim)}#settle" data-to="debunked"' in panel
    before = rows()
    response = client.post(move_url(claim), debunk)
    assert response.status_code == 400
    assert "Debunking a claim needs at least one verified fact that refutes it" in response.content.decode()
    assert rows() == before
    # Link a verified fact that refutes it, from the claim's page.
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    response = client.post(link_url(claim), {"fact": fact.pk, "relation": "refutes"})
    assert response.status_code == 302
    assert ClaimFact.objects.filter(claim=claim, fact=fact, relation="refutes").exists()
    # Now the panel offers it in one click, and it works.
    panel = client.get(reverse("facts:claims-panel", args=[incident.pk])).content.decode()
    assert f'formaction="{move_url(claim)}?expected_status=under_check" name="to" value="debunked"' in panel
    response = client.post(move_url(claim), debunk)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == ("debunked", "Lab says no")


def test_link_refuses_a_fact_of_another_incident_and_a_contradiction(as_user, claim, cell, incident, users):
    other = incident_services.incident_create(actor=users["member"], cell=cell, title="Other")
    foreign_fact = make_fact(other, users["member"])
    client = as_user("member")
    before = rows()
    response = client.post(link_url(claim), {"fact": foreign_fact.pk, "relation": "refutes"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert rows() == before
    fact = make_fact(incident, users["member"])
    claims.claim_link_fact(actor=users["member"], claim=claim, fact=fact, relation="confirms")
    before = rows()
    response = client.post(link_url(claim), {"fact": fact.pk, "relation": "refutes"})
    assert response.status_code == 400
    assert "This fact is already linked as one that confirms the claim." in response.content.decode()
    assert rows() == before


# --- A claim's page ------------------------------------------------------------------------------


def test_claim_page_shows_details_evidence_answers_and_reminder(as_user, claim, incident, users):
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    claims.claim_link_fact(actor=users["member"], claim=claim, fact=fact, relation="refutes")
    statement = make_statement(incident, users["member"], facts=[fact])
    statement.answers.add(claim)
    content = as_user("member").get(page_url(claim)).content.decode()
    assert "Hydra+ burns the skin" in content
    assert "Refuted by" in content and fact.text in content
    assert statement.title in content
    assert "Claim circulating unanswered" in content  # its active reminder
    assert reverse("statements:add", args=[incident.pk]) + f"?answers={claim.pk}" in content
    published(statement, users["member"], users["manager"])
    content = as_user("member").get(page_url(claim)).content.decode()
    assert "No active reminder." in content  # a published answer handled it


def test_claim_page_escapes_hostile_text(as_user, incident, users):
    claim = claims.claim_create(
        actor=users["member"], incident=incident, text=HOSTILE, where=HOSTILE, url="https://example.org/?q=<b>"
    )
    content = as_user("observer").get(page_url(claim)).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content and "<b>" not in content
    assert "&lt;script&gt;" in content


@pytest.mark.parametrize("n", [2, 12])
def test_claim_page_query_count(client, claim, incident, users, django_assert_num_queries, n):
    for i in range(n):
        fact = make_fact(incident, users["member2"], text=f"F{i}", verifier=users["manager"])
        claims.claim_link_fact(actor=users["member"], claim=claim, fact=fact, relation="refutes")
        make_statement(incident, users["member"], facts=[fact]).answers.add(claim)
    client.force_login(users["member"])
    # session, user, incident with the membership (one query since issue 12), the claim
    # (authorised), the claim again with links + published answers + all answers, cadence,
    # reminders, facts to link + their sources, memberships (context), unread badge.
    with django_assert_num_queries(14):
        response = client.get(page_url(claim))
    assert response.status_code == 200
