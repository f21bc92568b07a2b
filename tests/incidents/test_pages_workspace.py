"""The incident workspace's panels of issue 3: needs-review banner, claims, facts, statements.

Also the live-update contract other code relies on: each panel's refreshable
part is one wrapper `[data-live-panel][hx-get]`, its URL returns exactly
that wrapper, list items carry `data-item`, and the forms people type into stay
outside it (a refresh must never wipe what someone is typing).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cells.models import Cell
from chat import services as chat
from facts import claims as claim_services
from facts import services as fact_services
from facts.models import FactPolicy
from incidents import services as incident_services
from statements import services as statement_services
from tests.facts.helpers import make_fact, make_statement, published, version
from tests.pages import HOSTILE, live_panel, parse
from tests.shared import SHARED, shared_fixture, users_of

pytestmark = [pytest.mark.django_db, SHARED]

PANELS = {
    "needs-review": "statements:needs-review-panel",
    "claims": "facts:claims-panel",
    "facts": "facts:panel",
    "statements": "statements:panel",
    # Issue 15: the playbook's checklist and the activation of the cell.
    "tasks": "playbooks:panel",
    "activation": "playbooks:activation-panel",
    # Issue 13: what is said online (the matched mentions of the incident's watchlists).
    "monitoring-mentions": "monitoring:incident-panel",
    # Issue 14: the response queue's backlog, time to first response, share within the SLA.
    "queue": "responses:panel",
}
TYPING = ("textarea", "select")
TYPED_INPUTS = ("text", "url", "number", "datetime-local", "search", "email")


def detail(incident_id):
    return reverse("incidents:detail", args=[incident_id])


def typing_fields(node):
    return node.find_all(
        lambda n: n.tag in TYPING or (n.tag == "input" and n.attrs.get("type", "text") in TYPED_INPUTS)
    )


# --- The live-update contract ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "observer"])
def test_each_panel_is_one_wrapper_with_its_fragment_url(as_user, scene, role):
    page = parse(as_user(role).get(detail(scene["incident"])).content)
    for name, url_name in PANELS.items():
        panel = live_panel(page, name)
        assert panel.attrs["hx-get"] == reverse(url_name, args=[scene["incident"]])
        assert panel.attrs["hx-trigger"] == f"live:{name} from:body"
        # Nothing anyone types lives in a refreshable wrapper; no form, no CSRF token either
        # (its value changes at every render: a refresh would look like a change).
        assert typing_fields(panel) == [], name
        assert panel.find_all(lambda n: n.tag == "form" or n.attrs.get("name") == "csrfmiddlewaretoken") == []


@pytest.mark.parametrize("name", list(PANELS))
def test_fragment_is_exactly_the_wrapper_of_the_page(as_user, scene, name):
    client = as_user("member")
    url = reverse(PANELS[name], args=[scene["incident"]])
    response = client.get(url)
    assert response.status_code == 200
    assert b"<html" not in response.content
    top = parse(response.content).element_children()
    assert len(top) == 1
    (wrapper,) = top
    assert wrapper.attrs["data-live-panel"] == name
    assert wrapper.attrs["hx-get"] == url
    assert "hx-swap-oob" not in wrapper.attrs
    in_page = live_panel(parse(client.get(detail(scene["incident"])).content), name)
    items = [n.attrs["data-item"] for n in wrapper.with_attr("data-item")]
    assert items == [n.attrs["data-item"] for n in in_page.with_attr("data-item")]


@pytest.mark.parametrize("name", ["facts", "statements", "needs-review"])
def test_a_fragment_renders_the_same_twice(as_user, scene, users, incident, name):
    """A live refresh highlights the items whose HTML changed: nothing may change between two renders."""
    fact_services.fact_retract(actor=users["member"], fact=incident.facts.get(pk=scene["verified"]), reason="x")
    client = as_user("member")
    url = reverse(PANELS[name], args=[incident.pk])
    assert client.get(url).content == client.get(url).content


def test_panel_buttons_submit_the_action_forms_outside_the_panels(as_user, scene):
    page = parse(as_user("member").get(detail(scene["incident"])).content)
    for panel, form_id in (("facts", "fact-actions"), ("claims", "claim-actions")):
        (form,) = page.with_attr("id", form_id)
        assert form.with_attr("name", "csrfmiddlewaretoken")
        buttons = live_panel(page, panel).with_attr("form", form_id)
        assert buttons and all(button.attrs["formaction"] for button in buttons)


def test_items_carry_their_data_item(as_user, scene):
    page = parse(as_user("observer").get(detail(scene["incident"])).content)
    facts = {n.attrs["data-item"] for n in live_panel(page, "facts").with_attr("data-item")}
    assert facts == {f"fact-{scene['fact']}", f"fact-{scene['verified']}"}
    claims = {n.attrs["data-item"] for n in live_panel(page, "claims").with_attr("data-item")}
    assert claims == {f"claim-{scene['claim']}"}
    statements = {n.attrs["data-item"] for n in live_panel(page, "statements").with_attr("data-item")}
    assert statements == {f"statement-{scene[key]}" for key in ("draft", "review", "approved", "live")}


def test_add_forms_sit_outside_the_wrappers(as_user, scene):
    page = parse(as_user("member").get(detail(scene["incident"])).content)
    for form_id, panel in (("fact-add", "facts"), ("claim-add", "claims")):
        (form,) = page.with_attr("id", form_id)
        assert typing_fields(form), form_id
        assert form not in live_panel(page, panel).elements()


def test_needs_review_wrapper_is_there_and_empty_when_nothing_is_flagged(as_user, scene):
    page = parse(as_user("member").get(detail(scene["incident"])).content)
    panel = live_panel(page, "needs-review")
    assert panel.element_children() == []


# --- What the panels show ----------------------------------------------------------------------


def test_facts_panel_shows_status_sources_and_who_verified(as_user, scene, users):
    content = as_user("member").get(reverse("facts:panel", args=[scene["incident"]])).content.decode()
    assert "Batch 42 was recalled on 3 March." in content
    assert 'data-status="verified"' in content and 'data-status="unverified"' in content
    assert f"Verified by {users['manager']}" in content
    assert "example.org" in content  # the source's host, linked
    assert 'href="https://example.org/recall-notice"' in content
    assert reverse("facts:detail", args=[scene["incident"], scene["fact"]]) in content
    # Unverified first: work to do on top.
    assert content.index(f'data-item="fact-{scene["fact"]}"') < content.index(f'data-item="fact-{scene["verified"]}"')


def test_verify_button_follows_role_and_four_eyes(as_user, scene, cell, incident, users):
    url = reverse("facts:panel", args=[scene["incident"]])
    verify = 'data-action="verify"'
    # mia recorded the unverified fact: she cannot verify it, max can; observers see no button.
    assert verify in as_user("member").get(url).content.decode()
    mine = as_user("member2").get(url).content.decode()
    assert verify not in mine
    assert "You recorded it: someone else verifies it." in mine
    assert verify not in as_user("observer").get(url).content.decode()
    # With the four-eyes rule off, the recorder may verify it.
    FactPolicy.objects.create(cell=cell, verifier_must_differ=False)
    assert verify in as_user("member2").get(url).content.decode()


def test_claims_panel_shows_open_claims_first_with_their_age(as_user, incident, users):
    member = users["member"]
    now = timezone.now()
    old_settled = claim_services.claim_create(
        actor=member, incident=incident, text="Old and faded", first_seen_at=now - datetime.timedelta(days=2)
    )
    claim_services.claim_transition(actor=member, claim=old_settled, to_status="faded")
    claim_services.claim_create(
        actor=member, incident=incident, text="Two hours old", first_seen_at=now - datetime.timedelta(hours=2)
    )
    claim_services.claim_create(
        actor=member, incident=incident, text="Brand new", first_seen_at=now - datetime.timedelta(minutes=5)
    )
    content = as_user("observer").get(reverse("facts:claims-panel", args=[incident.pk])).content.decode()
    assert content.index("Two hours old") < content.index("Brand new") < content.index("Old and faded")
    assert "circulating for 2 h" in content
    assert "circulating for 5 min" in content
    assert "circulated for" in content  # the faded one, settled
    # Over the cell's limit (60 min) without a published answer: flagged.
    assert content.count("Unanswered") == 1
    assert "3 claims" in content and "2 open" in content


def test_claims_panel_offers_the_moves_the_role_allows(as_user, scene):
    url = reverse("facts:claims-panel", args=[scene["incident"]])
    member = as_user("member").get(url).content.decode()
    assert 'data-to="under_check"' in member and 'data-to="faded"' in member
    assert 'data-to="under_check"' not in as_user("observer").get(url).content.decode()


def test_statements_panel_shows_kind_audience_language_status(as_user, scene):
    content = as_user("observer").get(reverse("statements:panel", args=[scene["incident"]])).content.decode()
    assert "Holding statement · Social networks" in content
    assert ">FR<" in content
    for status in ("draft", "in_review", "approved", "published"):
        assert f'data-status="{status}"' in content
    assert "Review due" in content  # the published holding statement
    assert "needs review" not in content.lower()


def test_refuting_a_cited_fact_shows_the_banner_and_the_flag(as_user, scene, users, incident):
    fact = fact_services.fact_retract(
        actor=users["member"], fact=incident.facts.get(pk=scene["verified"]), reason="Lab retest: wrong batch"
    )
    client = as_user("manager")
    page = parse(client.get(detail(incident.pk)).content)
    banner = live_panel(page, "needs-review")
    text = banner.text()
    assert "statements need review" in text
    assert "Lab retest: wrong batch" in text and fact.text in text
    links = {n.attrs["href"] for n in banner.with_attr("href")}
    assert reverse("statements:detail", args=[incident.pk, scene["live"]]) in links
    assert reverse("facts:detail", args=[incident.pk, fact.pk]) in links
    statements = live_panel(page, "statements")
    assert len(statements.with_attr("data-needs-review")) == 2  # approved and published cite it
    # The banner fragment says the same.
    fragment = client.get(reverse("statements:needs-review-panel", args=[incident.pk])).content.decode()
    assert "Lab retest: wrong batch" in fragment


def test_observer_gets_no_forms(as_user, scene):
    content = as_user("observer").get(detail(scene["incident"])).content.decode()
    assert 'id="fact-add"' not in content and 'id="claim-add"' not in content
    assert reverse("statements:add", args=[scene["incident"]]) not in content
    assert 'data-action="verify"' not in content


def test_hostile_claim_text_is_escaped_everywhere(as_user, incident, users):
    claim_services.claim_create(actor=users["member"], incident=incident, text=HOSTILE, where=HOSTILE)
    make_fact(incident, users["member"], text=HOSTILE)
    statement_services.statement_create(
        actor=users["member"], incident=incident, kind="holding", audience="press", title=HOSTILE, text=HOSTILE
    )
    client = as_user("member")
    for url in (
        detail(incident.pk),
        reverse("facts:claims-panel", args=[incident.pk]),
        reverse("facts:panel", args=[incident.pk]),
        reverse("statements:panel", args=[incident.pk]),
    ):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;" in content


def test_workspace_speaks_french(as_user, scene):
    content = as_user("member", "fr").get(detail(scene["incident"])).content.decode()
    assert "{#" not in content and "{%" not in content  # no template syntax leaks into the page
    for text in ("Rumeurs en circulation", "Faits", "Déclarations", "Enregistrer un fait", "Vérifier"):
        assert text in content
    for text in ("Claims circulating", "Record a fact", "Draft a statement"):
        assert text not in content


# --- Query counts: the same with 3 of everything as with 30 -------------------------------------

# Page: session, user, incident with the membership (one query since issue 12), log page, corrections,
# memberships (cell switcher), level history [7] (the log's count is its counter since issue 12);
# needs review: their facts [1] (the flagged statements come from the statements panel's
# list); claims: claims, fact links, published answers, all answers, cell's cadence [5]; facts: facts, sources, cell's
# fact policy [3]; statements: statements, versions, answers [3]; unread badge [1].
# + the chat panel: its messages and their mentions.
# + the summary at the top (issue 9): latest approved statement, open claims, unverified
# facts [3]; the pinned key decisions (one query, shared with the log; a second one
# fetches the pinned entries only when there are some) [1].
# + the crisis log's latest verification (its card, issue 10) [1].
# + the checklist card (issue 15): counts per level, the tasks, the members who can hold one [3];
# + the activation card: the latest activation (its answers only when there is one) [1].
# + what is said online (issue 13): the alerts attached to the incident [1] (with some: their
#   watchlists, counters and latest mentions, a fixed number: tests/monitoring/test_query_counts.py).
# + the response queue's card (issue 14): its figures (one aggregate, the answered and the open
# items' times) and the most urgent open items [4].
WORKSPACE = 36
# Each fragment: session, user, incident with the membership, memberships (context) + its own queries.
FRAGMENTS = {
    "needs-review": 4 + 2,
    "claims": 4 + 5,
    "facts": 4 + 3,
    "statements": 4 + 3,
    # The checklist: counts per level, the tasks with their assignee; the activation: the latest one.
    "tasks": 4 + 2,
    "activation": 4 + 1,
    # The alerts attached to the incident (none here; with some, 4 more: tests/monitoring).
    "monitoring-mentions": 4 + 1,
    # The queue: its figures (one aggregate, answered and open times), the most urgent open items.
    "queue": 4 + 4,
}


def populate(incident, users, n: int) -> None:
    """n facts, claims and statements in every state, some statements flagged; n chat messages with mentions."""
    member, member2, manager = users["member"], users["member2"], users["manager"]
    for i in range(n):
        verified = make_fact(incident, member2, text=f"Verified {i}", verifier=manager)
        fact_services.fact_add_source(actor=member, fact=verified, kind="witness", reference=f"W{i}")
        make_fact(incident, member, text=f"Open {i}")
        chat.chat_post(actor=member, incident=incident, text=f"@mia see fact#{verified.pk} ({i})")
        claim = claim_services.claim_create(actor=member, incident=incident, text=f"Claim {i}")
        claim_services.claim_link_fact(actor=member, claim=claim, fact=verified, relation="refutes")
        statement = make_statement(incident, member, facts=[verified], text=f"Statement {i}")
        statement.answers.add(claim)
        if i % 3 == 0:
            published(statement, member, manager)
        if i % 3 == 1:
            statement_services.version_submit(actor=member, version=version(statement))
        if i % 6 == 0:
            fact_services.fact_retract(actor=member, fact=verified, reason=f"Wrong {i}")


@shared_fixture
def populated(people) -> dict[int, int]:
    """n -> the id of an incident populated with n of everything; built once for the module."""
    users = users_of(people)
    cell = Cell.objects.get(pk=people.cell)
    result = {}
    for n in (3, 30):
        incident = incident_services.incident_create(actor=users["member"], cell=cell, title=f"Populated with {n}")
        populate(incident, users, n)
        result[n] = incident.pk
    return result


@pytest.mark.parametrize("n", [3, 30])
def test_workspace_query_count(client, users, populated, django_assert_num_queries, n):
    client.force_login(users["member"])
    with django_assert_num_queries(WORKSPACE):
        response = client.get(detail(populated[n]))
    assert response.status_code == 200
    assert response.content.count(b'data-item="fact-') == 2 * n


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("name", list(PANELS))
def test_fragment_query_count(client, users, populated, n, name):
    client.force_login(users["observer"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(PANELS[name], args=[populated[n]]))
    assert response.status_code == 200
    assert len(queries) == FRAGMENTS[name], "\n".join(q["sql"] for q in queries.captured_queries)
