"""The incident pages, as a browser without JavaScript and as HTMX use them.

The full role matrix lives elsewhere; these tests cover what each page does
with good input, bad input and hostile input.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from incidents import services
from incidents.models import Incident, LogEntry, LogKind

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_user(client, users):
    """as_user("member") logs the test client in as that user, in English."""

    def login(key, language="en"):
        client.force_login(users[key])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return login


def list_url(**params):
    return reverse("incidents:list") + ("?" + urlencode(params, doseq=True) if params else "")


def detail_url(incident):
    return reverse("incidents:detail", args=[incident.pk])


def log_count(incident):
    return LogEntry.objects.filter(incident=incident).count()


# --- List -------------------------------------------------------------------


@pytest.fixture
def three_incidents(cell, users):
    member, manager = users["member"], users["manager"]
    rumour = services.incident_create(
        actor=member, cell=cell, title="Rumour about Hydra+", crisis_type="rumour", description="TikTok video"
    )
    services.incident_transition(actor=member, incident=rumour, to_level="alert", reason="Volume x8")
    breach = services.incident_create(actor=member, cell=cell, title="Customer file leaked", crisis_type="data_breach")
    services.incident_transition(actor=manager, incident=breach, to_level="crisis", reason="Confirmed by IT")
    drill = services.incident_create(actor=member, cell=cell, title="Quarterly drill", is_exercise=True)
    return {"rumour": rumour, "breach": breach, "drill": drill}


def test_list_shows_the_current_cell_only(as_user, incident, foreign_incident):
    content = as_user("member").get(list_url()).content.decode()
    assert incident.title in content
    assert escape(foreign_incident.title) not in content


def test_list_requires_login(client):
    response = client.get(list_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"level": "alert"}, ["rumour"], ["breach", "drill"]),
        ({"level": ["alert", "crisis"]}, ["rumour", "breach"], ["drill"]),
        ({"crisis_type": "data_breach"}, ["breach"], ["rumour", "drill"]),
        ({"q": "hydra"}, ["rumour"], ["breach", "drill"]),
        ({"q": "tiktok"}, ["rumour"], ["breach", "drill"]),  # the description is searched too
        ({"is_exercise": "true"}, ["drill"], ["rumour", "breach"]),
        ({"is_exercise": "false"}, ["rumour", "breach"], ["drill"]),
    ],
)
def test_list_filters(as_user, three_incidents, params, shown, hidden):
    response = as_user("observer").get(list_url(**params))
    content = response.content.decode()
    assert response.status_code == 200
    for key in shown:
        assert three_incidents[key].title in content
    for key in hidden:
        assert three_incidents[key].title not in content


def test_list_filter_with_an_unknown_level_is_a_400_with_the_message(as_user, three_incidents):
    response = as_user("member").get(list_url(level="apocalypse"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_list_htmx_request_gets_the_rows_only(as_user, three_incidents):
    response = as_user("member").get(list_url(level="crisis"), headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert three_incidents["breach"].title in content
    assert three_incidents["rumour"].title not in content
    assert "HX-Request" in response["Vary"]


def test_list_htmx_history_restore_gets_the_whole_page(as_user, three_incidents):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    assert "<html" in as_user("member").get(list_url(level="crisis"), headers=headers).content.decode()


def test_list_marks_exercises_and_shows_levels(as_user, three_incidents):
    content = as_user("member").get(list_url()).content.decode()
    assert 'class="badge exercise"' in content
    assert 'data-level="crisis"' in content and 'data-level="alert"' in content


def test_list_empty_states(as_user, cell, users):
    client = as_user("member")
    content = client.get(list_url()).content.decode()
    assert "No incident in this cell yet." in content
    assert reverse("incidents:create") in content
    services.incident_create(actor=users["member"], cell=cell, title="Something")
    content = client.get(list_url(q="nothing like this")).content.decode()
    assert "No incident matches these filters." in content


def test_list_paginates(as_user, cell, users):
    for number in range(27):
        services.incident_create(actor=users["member"], cell=cell, title=f"Signal {number:02}")
    client = as_user("member")
    first = client.get(list_url()).content.decode()
    assert "27 incidents" in first and "Page 1 of 2" in first
    second = client.get(list_url(page=2)).content.decode()
    assert "Page 2 of 2" in second and "Signal 00" in second and "Signal 26" not in second


def test_user_without_a_cell_sees_an_explanation(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="loner"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(list_url())
    assert response.status_code == 200
    assert "not in any crisis cell" in response.content.decode()


# --- Create and edit ----------------------------------------------------------


def test_create_incident(as_user, cell, users):
    response = as_user("member").post(
        reverse("incidents:create"),
        {
            "title": "Delivery delays",
            "description": "Complaints on X",
            "crisis_type": "backlash",
            "severity": "2",
            "owner": users["manager"].pk,
            "is_exercise": "on",
        },
    )
    incident = Incident.objects.get(title="Delivery delays")
    assert response.status_code == 302
    assert response["Location"] == detail_url(incident)
    assert (incident.cell, incident.level, incident.owner) == (cell, "watch", users["manager"])
    assert incident.is_exercise is True
    assert LogEntry.objects.get(incident=incident).kind == LogKind.CREATED


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"title": "", "crisis_type": "other", "severity": "3"}, "This field is required."),
        ({"title": "x" * 201, "crisis_type": "other", "severity": "3"}, "at most 200 characters"),
        ({"title": "Bad", "crisis_type": "volcano", "severity": "3"}, "Select a valid choice"),
        ({"title": "Bad", "crisis_type": "other", "severity": "9"}, "Select a valid choice"),
        ({"title": "Bad", "crisis_type": "other", "severity": "abc"}, "Select a valid choice"),
    ],
)
def test_create_incident_with_bad_input_is_a_400_and_writes_nothing(as_user, users, data, field_error):
    response = as_user("member").post(reverse("incidents:create"), data)
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert Incident.objects.count() == 0
    assert LogEntry.objects.count() == 0


def test_create_incident_refuses_an_owner_from_another_cell(as_user, users):
    response = as_user("member").post(
        reverse("incidents:create"),
        {"title": "T", "crisis_type": "other", "severity": "3", "owner": users["outsider"].pk},
    )
    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_observer_cannot_open_the_create_page(as_user):
    assert as_user("observer").get(reverse("incidents:create")).status_code == 403


def test_edit_incident_logs_the_change_with_translated_field_names(as_user, incident, users):
    client = as_user("member")
    response = client.post(
        reverse("incidents:edit", args=[incident.pk]),
        {"title": incident.title, "crisis_type": "product", "severity": "1", "owner": users["manager"].pk},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.crisis_type, incident.severity, incident.owner) == ("product", 1, users["manager"])
    edited = LogEntry.objects.get(incident=incident, kind=LogKind.EDITED)
    assert set(edited.data["changes"]) == {"crisis_type", "severity", "owner"}

    content = client.get(detail_url(incident)).content.decode()
    assert "Severity: 2 — Major → <strong>1 — Critical</strong>" in content
    assert "Crisis type: Other → <strong>Product incident</strong>" in content
    assert f"Owner: — → <strong>{users['manager']}</strong>" in content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = client.get(detail_url(incident)).content.decode()
    assert "Gravité\u00a0: 2 — Majeure → <strong>1 — Critique</strong>" in content
    assert "Type de crise\u00a0: Autre → <strong>Incident produit</strong>" in content
    assert "severity:" not in content and "crisis_type" not in content


def test_saving_an_untouched_edit_form_logs_nothing(as_user, incident):
    before = log_count(incident)
    data = {"title": incident.title, "crisis_type": incident.crisis_type, "severity": incident.severity}
    response = as_user("member").post(reverse("incidents:edit", args=[incident.pk]), data, follow=True)
    assert response.redirect_chain == [(detail_url(incident), 302)]
    assert "Nothing was changed." in response.content.decode()
    assert log_count(incident) == before


def test_edit_incident_with_bad_input_changes_nothing(as_user, incident):
    before = log_count(incident)
    response = as_user("member").post(
        reverse("incidents:edit", args=[incident.pk]), {"title": "", "crisis_type": "other", "severity": "3"}
    )
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.title == "Viral video about Hydra+"
    assert log_count(incident) == before


def test_edit_page_refusals(as_user, incident, foreign_incident):
    assert as_user("observer").get(reverse("incidents:edit", args=[incident.pk])).status_code == 403
    assert as_user("member").get(reverse("incidents:edit", args=[foreign_incident.pk])).status_code == 404


# --- Workspace and transitions ------------------------------------------------


def transition(client, incident, to, reason="Mentions x8", expected=None):
    return client.post(
        reverse("incidents:transition", args=[incident.pk]),
        {"to": to, "reason": reason, "expected_level": expected or incident.level},
    )


def test_workspace_shows_the_moves_the_role_allows(as_user, incident):
    member_page = as_user("member").get(detail_url(incident)).content.decode()
    assert 'data-to="alert"' in member_page
    assert 'data-to="crisis"' not in member_page and 'data-to="closed"' not in member_page
    manager_page = as_user("manager").get(detail_url(incident)).content.decode()
    assert all(f'data-to="{to}"' in manager_page for to in ("alert", "crisis", "closed"))
    observer_page = as_user("observer").get(detail_url(incident)).content.decode()
    assert "data-to=" not in observer_page
    assert "you cannot change the level at this stage" in observer_page
    assert 'class="log-form"' not in observer_page


def test_workspace_of_another_cell_is_a_404_page_that_reveals_nothing(as_user, foreign_incident):
    response = as_user("admin").get(detail_url(foreign_incident))
    content = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist, or it belongs to a cell you are not a member of." in content
    assert escape(foreign_incident.title) not in content


def test_403_page_says_which_role_is_needed(as_user, incident):
    response = as_user("observer").get(reverse("incidents:edit", args=[incident.pk]))
    assert response.status_code == 403
    assert "This needs the Member role in Cellule Durand; you are Observer." in response.content.decode()


def test_transition_through_the_form(as_user, incident):
    response = transition(as_user("member"), incident, "alert", reason="Volume x8 in one hour")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.level == "alert"
    entry = LogEntry.objects.get(incident=incident, kind=LogKind.LEVEL_CHANGED)
    assert (entry.text, entry.data) == ("Volume x8 in one hour", {"from": "watch", "to": "alert"})
    page = as_user("member").get(detail_url(incident)).content.decode()
    assert "Level changed from <strong>Watch</strong> to <strong>Alert</strong>." in page
    assert "Volume x8 in one hour" in page


def test_transition_without_a_reason_is_a_400_and_changes_nothing(as_user, incident):
    before = log_count(incident)
    response = transition(as_user("member"), incident, "alert", reason="   ")
    assert response.status_code == 400
    assert "Say why the level changes" in response.content.decode()
    incident.refresh_from_db()
    assert incident.level == "watch"
    assert log_count(incident) == before


def test_transition_outside_the_workflow_lists_the_allowed_moves(as_user, incident):
    response = transition(as_user("manager"), incident, "recovery")
    content = response.content.decode()
    assert response.status_code == 400
    assert "An incident at level Watch cannot go to Recovery." in content
    assert "From Watch it can go to: Alert, Crisis, Closed." in content
    incident.refresh_from_db()
    assert incident.level == "watch"


def test_transition_above_the_role_is_a_403(as_user, incident):
    response = transition(as_user("member"), incident, "crisis")
    assert response.status_code == 403
    assert "needs the Manager role" in response.content.decode()
    incident.refresh_from_db()
    assert incident.level == "watch"


def test_transition_on_a_stale_page_is_a_conflict_and_changes_nothing(as_user, incident, users):
    client = as_user("manager")
    services.incident_transition(actor=users["member"], incident=incident, to_level="alert", reason="first")
    before = log_count(incident)
    response = transition(client, incident, "crisis", expected="watch")
    content = response.content.decode()
    assert response.status_code == 409
    assert "Someone changed the level meanwhile: the incident is now at Alert." in content
    incident.refresh_from_db()
    assert incident.level == "alert"
    assert log_count(incident) == before


@pytest.mark.parametrize("data", [{"to": "nowhere", "reason": "x", "expected_level": "watch"}, {"reason": "x"}])
def test_transition_with_malformed_input_is_a_400(as_user, incident, data):
    response = as_user("manager").post(reverse("incidents:transition", args=[incident.pk]), data)
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.level == "watch"


def test_transition_of_another_cells_incident_is_a_404(as_user, foreign_incident):
    assert transition(as_user("manager"), foreign_incident, "alert").status_code == 404


def test_level_history_and_exercise_banner(as_user, cell, users):
    drill = services.incident_create(actor=users["member"], cell=cell, title="Drill", is_exercise=True)
    services.incident_transition(actor=users["manager"], incident=drill, to_level="crisis", reason="Inject #1")
    content = as_user("observer").get(detail_url(drill)).content.decode()
    assert 'class="exercise-banner"' in content
    assert "Opened at Watch" in content
    assert "<strong>Watch → Crisis</strong>" in content


# --- Crisis log ---------------------------------------------------------------


def add_entry(client, incident, htmx=False, **data):
    payload = {"text": "Statement posted on X", "category": "communication", **data}
    return client.post(reverse("incidents:log-add", args=[incident.pk]), payload, headers=HTMX if htmx else {})


def test_add_log_entry_with_a_normal_post(as_user, incident):
    response = add_entry(as_user("member"), incident, source_url="https://example.org/post")
    assert response.status_code == 302
    entry = LogEntry.objects.filter(incident=incident).latest("seq")
    assert (entry.kind, entry.text, entry.category, entry.source_url) == (
        "note",
        "Statement posted on X",
        "communication",
        "https://example.org/post",
    )


def test_add_log_entry_with_htmx_returns_the_panel(as_user, incident):
    response = add_entry(as_user("member"), incident, htmx=True)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="log-panel"' in content
    assert "Statement posted on X" in content
    assert '<textarea name="text"' in content and "Statement posted on X</textarea>" not in content  # a fresh form


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "This field is required."),
        ({"text": "x" * 5001}, "at most 5000 characters"),
        ({"category": "gossip"}, "Select a valid choice"),
        ({"source_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"corrects": "abc"}, "Select a valid choice"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_add_log_entry_with_bad_input_writes_nothing(as_user, incident, data, message, htmx):
    before = log_count(incident)
    response = add_entry(as_user("member"), incident, htmx=htmx, **data)
    assert response.status_code == (422 if htmx else 400)
    assert message in response.content.decode()
    assert log_count(incident) == before


def test_add_log_entry_refusals(as_user, incident, foreign_incident):
    assert add_entry(as_user("observer"), incident).status_code == 403
    assert add_entry(as_user("member"), foreign_incident).status_code == 404
    assert log_count(incident) == 1


def test_correction_points_at_the_corrected_entry(as_user, incident, users):
    wrong = services.log_entry_add(actor=users["member"], incident=incident, text="Posted at 14:10")
    client = as_user("member2")
    page = client.get(detail_url(incident)).content.decode()
    assert f'data-correct="{wrong.pk}"' in page
    response = add_entry(client, incident, htmx=True, text="Posted at 14:25, not 14:10", corrects=wrong.pk)
    assert response.status_code == 200
    correction = LogEntry.objects.filter(incident=incident).latest("seq")
    assert (correction.kind, correction.corrects) == ("correction", wrong)
    content = response.content.decode()
    assert f"Corrects entry #{wrong.seq}" in content
    assert f'Corrected by <a href="#entry-{correction.pk}">#{correction.seq}</a>' in content


def test_correction_of_an_entry_of_another_incident_is_refused(as_user, incident, cell, users):
    other = services.incident_create(actor=users["member"], cell=cell, title="Other incident")
    foreign_entry = LogEntry.objects.get(incident=other)
    before = log_count(incident)
    response = add_entry(as_user("member"), incident, text="Correction", corrects=foreign_entry.pk)
    assert response.status_code == 400
    assert log_count(incident) == before


def test_refused_correction_keeps_the_form_pointed_at_the_entry(as_user, incident, users):
    wrong = services.log_entry_add(actor=users["member"], incident=incident, text="Wrong")
    response = add_entry(as_user("member"), incident, htmx=True, text="", corrects=wrong.pk)
    content = response.content.decode()
    assert response.status_code == 422
    assert f"<strong data-correcting-label>#{wrong.seq}</strong>" in content
    assert "data-correcting hidden" not in content


def test_automatic_entries_read_as_sentences(as_user, incident, users):
    from incidents import crisislog

    services.incident_transition(actor=users["member"], incident=incident, to_level="alert", reason="x8")
    crisislog.append_entry(incident=incident, kind=LogKind.NOTIFICATION, data={"entry": 1, "recipients": 4})
    content = as_user("observer").get(detail_url(incident)).content.decode()
    assert "Incident opened at level Watch: “Viral video about Hydra+”." in content
    assert "Level change e-mailed to 4 cell members." in content
    assert "CrisisCell (automatic)" in content
    french = as_user("observer", "fr").get(detail_url(incident)).content.decode()
    assert "Niveau passé de <strong>Veille</strong> à <strong>Alerte</strong>." in french
    assert "Changement de niveau envoyé par e-mail à 4 membres de la cellule." in french


def test_log_is_newest_first_and_paginated(as_user, incident, users):
    for number in range(55):
        services.log_entry_add(actor=users["member"], incident=incident, text=f"Entry {number:02}")
    client = as_user("observer")
    first = client.get(detail_url(incident)).content.decode()
    assert first.index("Entry 54") < first.index("Entry 53")
    assert "Entry 04" not in first and "Page 1 of 2" in first
    assert "Entry 04" in client.get(detail_url(incident) + "?page=2").content.decode()


# --- Dates ------------------------------------------------------------------------


def test_dates_show_the_users_time_zone(as_user, incident, users):
    users["observer"].timezone = "America/New_York"
    users["observer"].save()
    content = as_user("observer").get(detail_url(incident)).content.decode()
    utc = incident.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<time datetime="{utc}" title="America/New_York">' in content
    assert " EST</time>" in content or " EDT</time>" in content


# --- Hostile text -----------------------------------------------------------------


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_escaped_on_every_page(as_user, cell, users, payload):
    member = users["member"]
    member.first_name = payload
    member.save()
    incident = services.incident_create(
        actor=member, cell=cell, title=payload, description=payload, owner=member, severity=2
    )
    services.log_entry_add(actor=member, incident=incident, text=payload)
    services.incident_transition(actor=member, incident=incident, to_level="alert", reason=payload)
    client = as_user("member")
    pages = [
        client.get(list_url()),
        client.get(list_url(q=payload)),
        client.get(list_url(q=payload), headers=HTMX),
        client.get(detail_url(incident)),
        client.get(reverse("incidents:edit", args=[incident.pk])),
        client.get(reverse("cells:members", args=[cell.pk])),
        add_entry(client, incident, htmx=True, text=payload),
        add_entry(client, incident, htmx=True, text=payload, source_url=payload),
        transition(client, incident, "crisis", reason=payload),  # 403 page for a member
    ]
    for response in pages:
        content = response.content.decode()
        assert payload not in content, response.request["PATH_INFO"]
        assert "<script>alert" not in content and "<img src=x" not in content
    assert escape(payload) in pages[3].content.decode()
