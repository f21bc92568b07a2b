"""Issue 9, "the state of every incident at a glance": the incident list's counts and sort,
the closing checklist (page, API, service), key decisions pinned in the append-only log,
the summary at the top of the workspace and the stakeholder update drafted from it,
search inside an incident, hiding automatic entries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from chat import services as chat
from core.templatetags.core_tags import duration_since, full_stop, quoted
from facts import claims as claim_services
from incidents import services
from incidents.models import Incident, Level, LogEntry, LogKind
from incidents.services import CloseBlocked
from reminders.models import Reminder
from statements import services as statement_services

from ..facts.helpers import make_fact, make_statement, version
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def detail(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])


def make_busy(incident, users, *, claims=1, in_review=1, flagged=False, overdue=False):
    """Open things: claims circulating, statements in review, one needing review, overdue reminders."""
    member, member2, manager = users["member"], users["member2"], users["manager"]
    for i in range(claims):
        claim_services.claim_create(actor=member, incident=incident, text=f"Rumour {incident.pk}-{i}")
    for _i in range(in_review):
        statement = make_statement(incident, member)
        statement_services.version_submit(actor=member, version=version(statement))
    if flagged:
        from facts import services as fact_services

        fact = make_fact(incident, member2, verifier=manager)
        statement = make_statement(incident, member, facts=[fact])
        draft = statement_services.version_submit(actor=member, version=version(statement))
        statement_services.version_approve(actor=manager, version=draft)
        fact_services.fact_retract(actor=member2, fact=fact, reason="The lab was wrong")
    if overdue:
        Reminder.objects.filter(incident=incident).update(next_due_at=timezone.now() - datetime.timedelta(minutes=5))


# --- The incident list --------------------------------------------------------------------------


def test_list_shows_what_needs_attention_per_incident_and_sorts_by_it(client, cell, users):
    member = users["member"]
    busy = services.incident_create(actor=member, cell=cell, title="Busy one")
    make_busy(busy, users, claims=2, in_review=1, flagged=True, overdue=True)
    # The calm one was opened last: by date it comes first, by attention last.
    calm = services.incident_create(actor=member, cell=cell, title="Calm one")
    client.force_login(member)
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert content.index("Calm one") < content.index("Busy one")
    row = content[content.index(f'data-incident="{busy.pk}"') :].split("</tr>")[0]
    assert (
        '<li class="concern concern-open_claims" data-concern="open_claims"><strong>2</strong> Open claims</li>' in row
    )
    assert 'data-concern="awaiting_approval"><strong>1</strong>' in row
    assert 'data-concern="needs_review"><strong>1</strong>' in row
    assert 'data-concern="overdue_reminders"><strong>' in row
    calm_row = content[content.index(f'data-incident="{calm.pk}"') :].split("</tr>")[0]
    assert "Nothing pending" in calm_row and "data-concern" not in calm_row
    assert "Time at the current level" in content
    by_attention = client.get("/", {"sort": "attention"}).content.decode()
    assert by_attention.index("Busy one") < by_attention.index("Calm one")
    # The live list follows the cell's socket.
    assert f'data-cell-socket="/ws/cells/{cell.pk}/incidents/"' in content


def test_closed_incidents_come_last_when_sorting_by_attention(client, cell, users):
    member, manager = users["member"], users["manager"]
    closed = services.incident_create(actor=member, cell=cell, title="Done and closed")
    services.incident_transition(actor=manager, incident=closed, to_level="closed", reason="Over")
    crisis = services.incident_create(actor=member, cell=cell, title="Burning")
    services.incident_transition(actor=manager, incident=crisis, to_level="crisis", reason="Press")
    watch = services.incident_create(actor=member, cell=cell, title="Watching")
    client.force_login(member)
    content = client.get("/", {"sort": "attention"}).content.decode()
    assert content.index("Burning") < content.index("Watching") < content.index("Done and closed")
    assert watch.level == "watch"


@pytest.mark.parametrize("n", [3, 12])
def test_list_query_count_is_the_same_with_3_and_12_busy_incidents(client, cell, users, django_assert_num_queries, n):
    for i in range(n):
        incident = services.incident_create(actor=users["member"], cell=cell, title=f"Incident {i}")
        make_busy(incident, users, claims=1 + i % 2, in_review=i % 2, overdue=i % 3 == 0)
    client.force_login(users["member"])
    # session, user, memberships (cell switcher), count, rows with every count
    # (correlated subqueries), unread badge: as before issue 9, less the membership scope
    # (joined to the rows since issue 12).
    with django_assert_num_queries(6):
        response = client.get("/", {"sort": "attention"})
    assert response.status_code == 200
    assert response.content.decode().count('data-concern="open_claims"') == n


def test_list_refuses_an_unknown_sort_with_a_message(client, users, incident):
    client.force_login(users["member"])
    response = client.get("/", {"sort": "random"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Sort" in response.content.decode()


# --- Closing: the checklist ---------------------------------------------------------------------


def test_service_refuses_to_close_with_things_open_and_lists_them(incident, users):
    make_busy(incident, users, claims=1, in_review=1, flagged=True, overdue=True)
    with pytest.raises(CloseBlocked) as refused:
        services.incident_transition(actor=users["manager"], incident=incident, to_level="closed", reason="Done")
    kinds = {group["kind"]: group["count"] for group in refused.value.current["open"]}
    assert kinds["needs_review"] == 1
    assert kinds["awaiting_approval"] == 1
    assert kinds["open_claims"] == 1
    assert kinds["overdue_reminders"] >= 1
    assert Incident.objects.get(pk=incident.pk).level == "watch"  # nothing written
    assert not LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED).exists()


def test_unverified_facts_cited_by_drafts_are_open_at_close(incident, users):
    fact = make_fact(incident, users["member2"])  # not verified
    make_statement(incident, users["member"], facts=[fact])
    with pytest.raises(CloseBlocked) as refused:
        services.incident_transition(actor=users["manager"], incident=incident, to_level="closed", reason="Done")
    groups = {group["kind"]: group for group in refused.value.current["open"]}
    assert groups["unverified_cited"]["count"] == 1
    assert groups["unverified_cited"]["items"][0]["url"] == reverse("facts:detail", args=[incident.pk, fact.pk])


def test_manager_closes_anyway_with_a_reason_and_the_log_keeps_what_was_open(incident, users):
    make_busy(incident, users, claims=2, in_review=0)
    services.incident_transition(
        actor=users["manager"],
        incident=incident,
        to_level="closed",
        reason="Quiet for 48 h",
        force_reason="Legal says so",
    )
    entry = LogEntry.objects.get(incident=incident, kind=LogKind.LEVEL_CHANGED)
    assert entry.data["forced"] == {"reason": "Legal says so", "open": {"open_claims": 2}}
    assert Incident.objects.get(pk=incident.pk).level == "closed"


def test_closing_with_nothing_open_needs_no_force_reason_and_records_none(incident, users):
    services.incident_transition(
        actor=users["manager"], incident=incident, to_level="closed", reason="Done", force_reason="ignored"
    )
    assert "forced" not in LogEntry.objects.get(incident=incident, kind=LogKind.LEVEL_CHANGED).data


def test_api_answers_409_listing_what_is_open_then_closes_with_force_reason(api, incident, users):
    make_busy(incident, users, claims=1, in_review=1)
    url = f"/api/v1/incidents/{incident.pk}/transition/"
    client = api(users["manager"])
    response = client.post(url, {"to": "closed", "reason": "Done"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Still open: 1 statement waits for approval; 1 claim is still circulating")
    assert {group["kind"] for group in body["current"]["open"]} == {"awaiting_approval", "open_claims"}
    assert body["current"]["open"][0]["items"][0]["url"].startswith(f"/incidents/{incident.pk}/statements/")
    response = client.post(url, {"to": "closed", "reason": "Done", "force_reason": "Handled by phone"}, format="json")
    assert response.status_code == 200 and response.json()["level"] == "closed"


def test_api_close_checks_role_before_the_checklist(api, incident, users):
    make_busy(incident, users, claims=1, in_review=0)
    url = f"/api/v1/incidents/{incident.pk}/transition/"
    assert api(users["observer"]).post(url, {"to": "closed", "reason": "x"}, format="json").status_code == 403
    assert api(users["outsider"]).post(url, {"to": "closed", "reason": "x"}, format="json").status_code == 404
    # A member may not close from watch at all: 403, and the checklist is not revealed.
    response = api(users["member"]).post(url, {"to": "closed", "reason": "x"}, format="json")
    assert response.status_code == 403 and "open" not in response.json()


def test_close_form_shows_the_checklist_and_refuses_without_a_force_reason(client, incident, users):
    make_busy(incident, users, claims=1, in_review=1)
    client.force_login(users["manager"])
    with translation.override("en"):
        page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Still open in this incident:" in page
    assert "1 statement waits for approval" in page and "1 claim is still circulating or under check" in page
    assert 'name="force_reason"' in page and "Close anyway" in page
    response = client.post(
        reverse("incidents:transition", args=[incident.pk]),
        {"to": "closed", "expected_level": "watch", "reason": "Done"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Still open: 1 statement waits for approval" in content
    # The close form stays open with the reason typed.
    assert '<details class="transition" open>' in content and ">Done</textarea>" in content
    response = client.post(
        reverse("incidents:transition", args=[incident.pk]),
        {"to": "closed", "expected_level": "watch", "reason": "Done", "force_reason": "Board decision"},
    )
    assert response.status_code == 302
    page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Closed anyway, with things still open:" in page and "Board decision" in page


def test_close_form_says_when_nothing_is_open(client, incident, users):
    client.force_login(users["manager"])
    page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing is left open" in page
    assert 'name="force_reason"' not in page


# --- Key decisions --------------------------------------------------------------------------------


def test_member_pins_an_entry_as_key_decision_and_the_pin_is_itself_logged(client, incident, users):
    entry = services.log_entry_add(
        actor=users["member"], incident=incident, text="We recall batch 42", category="decision"
    )
    client.force_login(users["member2"])
    url = reverse("incidents:log-pin", args=[incident.pk, entry.pk])
    response = client.post(url, {"pinned": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#entry-{entry.pk}")
    pin = LogEntry.objects.get(incident=incident, kind=LogKind.PIN)
    assert pin.actor == users["member2"] and pin.data == {"entry": entry.pk, "seq": entry.seq, "pinned": True}
    page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    glance = page[page.index('id="glance"') :].split("</section>")[0]
    assert "We recall batch 42" in glance and "Key decisions" in glance
    assert f"Pinned entry #{entry.seq} as a key decision." in page
    # Pinning twice is refused (someone did it first); unpinning is logged too.
    client.post(url, {"pinned": "1"})
    assert LogEntry.objects.filter(incident=incident, kind=LogKind.PIN).count() == 1
    client.post(url, {"pinned": "0"})
    assert LogEntry.objects.filter(incident=incident, kind=LogKind.PIN).count() == 2
    page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    glance = page[page.index('id="glance"') :].split("</section>")[0]
    assert "We recall batch 42" not in glance


def test_pin_refuses_observers_outsiders_and_pins_of_pins(client, incident, users, foreign_incident):
    entry = services.log_entry_add(actor=users["member"], incident=incident, text="Decision")
    url = reverse("incidents:log-pin", args=[incident.pk, entry.pk])
    client.force_login(users["observer"])
    assert client.post(url, {"pinned": "1"}).status_code == 403
    client.force_login(users["outsider"])
    assert client.post(url, {"pinned": "1"}).status_code == 404
    client.force_login(users["member"])
    foreign_entry = LogEntry.objects.filter(incident=foreign_incident).first()
    assert client.post(reverse("incidents:log-pin", args=[incident.pk, foreign_entry.pk])).status_code == 404
    pin = services.log_entry_pin(actor=users["member"], incident=incident, entry=entry)
    with translation.override("en"), pytest.raises(Exception, match="pin the entry it names"):
        services.log_entry_pin(actor=users["member"], incident=incident, entry=pin)
    assert client.get(url).status_code == 405


# --- The summary and the stakeholder update -------------------------------------------------------


def test_summary_shows_level_latest_approved_statement_and_open_questions(client, incident, users):
    member, member2, manager = users["member"], users["member2"], users["manager"]
    fact = make_fact(incident, member2, verifier=manager)
    statement = make_statement(incident, member, facts=[fact], text="We recalled batch 42 as a precaution.")
    draft = statement_services.version_submit(actor=member, version=version(statement))
    statement_services.version_approve(actor=manager, version=draft)
    claim_services.claim_create(actor=member, incident=incident, text="Hydra+ makes you blind")
    make_fact(incident, member, text="Lab results for batch 43 pending")
    client.force_login(users["observer"])
    page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    glance = page[page.index('id="glance"') :].split("</section>")[0]
    assert "Latest approved statement" in glance and "We recalled batch 42 as a precaution." in glance
    assert "Hydra+ makes you blind" in glance and "Lab results for batch 43 pending" in glance
    assert "Draft a stakeholder update" not in glance  # observers do not draft


def test_stakeholder_update_is_drafted_from_the_summary_as_an_internal_brief(client, incident, users):
    entry = services.log_entry_add(actor=users["member"], incident=incident, text="Stop all ads", category="decision")
    services.log_entry_pin(actor=users["member"], incident=incident, entry=entry)
    claim_services.claim_create(actor=users["member"], incident=incident, text="A rumour")
    client.force_login(users["member"])
    response = client.get(reverse("statements:add", args=[incident.pk]), {"brief": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="internal_brief" selected' in content or 'value="internal_brief" checked' in content
    assert "Stakeholder update: Viral video about Hydra+" in content
    assert "Stop all ads" in content and "A rumour" in content and "Key decisions" in content
    client.force_login(users["observer"])
    assert client.get(reverse("statements:add", args=[incident.pk]), {"brief": "1"}).status_code == 403


# --- Search inside an incident --------------------------------------------------------------------


def test_search_finds_text_across_log_chat_facts_claims_and_statements(client, incident, users, foreign_incident):
    member = users["member"]
    services.log_entry_add(actor=member, incident=incident, text="Batch 42 pulled from shelves", category="action")
    chat.chat_post(actor=users["member2"], incident=incident, text="batch 42 is back?")
    make_fact(incident, member, text="Batch 42 tested clean")
    claim_services.claim_create(actor=member, incident=incident, text="Batch 42 is toxic")
    make_statement(incident, member, text="About batch 42: we checked.")
    services.log_entry_add(actor=users["outsider"], incident=foreign_incident, text="Batch 42 elsewhere")
    client.force_login(users["observer"])
    url = reverse("incidents:search", args=[incident.pk])
    content = client.get(url, {"q": "batch 42"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Batch 42 pulled from shelves", "batch 42 is back?", "Batch 42 tested clean", "Batch 42 is toxic"):
        assert text in content
    assert "Holding statement on Hydra+" in content  # found through its version's text
    assert "elsewhere" not in content
    # Category narrows to the crisis log; author and kind narrow too.
    content = client.get(url, {"q": "batch", "category": "action"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "pulled from shelves" in content and "is toxic" not in content
    content = client.get(url, {"author": users["member2"].pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "batch 42 is back?" in content and "pulled from shelves" not in content
    content = client.get(url, {"q": "batch", "kind": "claim"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is toxic" in content and "tested clean" not in content


def test_search_refuses_outsiders_and_bad_input(client, incident, users):
    url = reverse("incidents:search", args=[incident.pk])
    client.force_login(users["outsider"])
    assert client.get(url, {"q": "x"}).status_code == 404
    client.force_login(users["member"])
    response = client.get(url, {"kind": "nonsense", "author": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- The log view: hide automatic entries, decisions stand out -----------------------------------


def test_one_switch_hides_automatic_entries(client, incident, users):
    services.log_entry_add(actor=users["member"], incident=incident, text="By a person", category="decision")
    from incidents import crisislog

    with __import__("django.db").db.transaction.atomic():
        crisislog.append_entry(incident=incident, kind=LogKind.NOTIFICATION, data={"recipients": 3})
    client.force_login(users["member"])
    panel = reverse("incidents:panel", args=[incident.pk, "log"])
    everything = client.get(panel, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "kind-notification" in everything and "category-decision" in everything
    # People's entries can be pinned as key decisions; what the system wrote cannot.
    notification = everything[everything.index("kind-notification") :].split("</li>")[0]
    decision = everything[everything.index("category-decision") :].split("</li>")[0]
    assert "pin-link" not in notification and "pin-link" in decision
    hidden = client.get(panel, {"auto": "hide"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "kind-notification" not in hidden and "By a person" in hidden
    # The live refresh keeps the switch.
    assert "?auto=hide&amp;" in hidden
    page = client.get(detail(incident), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hide automatic entries" in page


# --- Small text helpers ---------------------------------------------------------------------------


def test_quotes_typed_by_the_user_are_not_doubled_and_cut_text_gets_an_ellipsis():
    with translation.override("fr"):
        assert quoted("« déjà cité »") == "«\u00a0déjà cité\u00a0»"
        assert quoted("plain") == "«\u00a0plain\u00a0»"
    with translation.override("en"):
        assert quoted("“already”") == "“already”"
        assert quoted("x" * 50, 10) == "“xxxxxxxxx…”"
    assert (
        full_stop("Done") == "Done."
        and full_stop("Done.") == "Done."
        and full_stop("«\u00a0x\u00a0»") == "«\u00a0x\u00a0»"
    )


def test_duration_since_is_short():
    now = timezone.now()
    with translation.override("en"):
        assert duration_since(now - datetime.timedelta(minutes=42)) == "42 min"
        assert duration_since(now - datetime.timedelta(hours=3, minutes=5)) == "3 h 5 min"
    with translation.override("fr"):
        assert duration_since(now - datetime.timedelta(days=2, hours=4)) == "2 j 4 h"


def test_api_menu_entry_is_for_those_who_can_write_through_it(client, users, incident):
    client.force_login(users["observer"])
    assert 'href="/api/docs/"' not in client.get("/").content.decode()
    client.force_login(users["member"])
    assert 'href="/api/docs/"' in client.get("/").content.decode()


def test_api_docs_page_has_the_app_header_and_a_way_back(client, users):
    client.force_login(users["member"])
    content = client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="topbar"' in content and "Back to the incidents" in content
    assert 'id="swagger-ui"' in content
    assert "<script>" not in content and "<style>" not in content  # no inline code (CSP)


def test_level_is_a_valid_choice_for_closing(incident):
    assert Level.CLOSED in Level.values
