"""Incident services and selectors: creation, edits, manual log entries and corrections, reads scoped to cells."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cells.models import Role
from incidents import selectors, services
from incidents.models import Incident, Level, LogCategory, LogEntry, LogKind

from ..factories import MembershipFactory, UserFactory
from .support import counts, fast_password_hasher, state_of  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


# --- Creation -----------------------------------------------------------------------------


def test_create_starts_at_watch_and_opens_the_log(cell, member):
    incident = services.incident_create(
        actor=member,
        cell=cell,
        title="Rumeur : Hydra+ retiré du marché",
        crisis_type="rumour",
        severity=1,
        owner=member,
        is_exercise=True,
    )
    assert incident.level == Level.WATCH
    assert (incident.created_by, incident.owner, incident.is_exercise) == (member, member, True)
    entry = LogEntry.objects.get(incident=incident)
    assert (entry.kind, entry.seq, entry.actor, entry.text) == (LogKind.CREATED, 1, member, incident.title)
    assert entry.data == {"level": "watch", "severity": 1, "crisis_type": "rumour"}


@pytest.mark.parametrize("role", ["member", "manager", "admin"])
def test_contributors_create(cell, users, role):
    assert services.incident_create(actor=users[role], cell=cell, title="Spike").cell == cell


def test_observer_cannot_create(cell, observer):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.incident_create(actor=observer, cell=cell, title="Spike")
    assert counts() == before


def test_outsider_cannot_create_in_a_cell_they_do_not_belong_to(cell, outsider):
    before = counts()
    with pytest.raises(Http404):
        services.incident_create(actor=outsider, cell=cell, title="Spike")
    assert counts() == before


def test_owner_must_be_a_member_of_the_cell(cell, member, outsider):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.incident_create(actor=member, cell=cell, title="Spike", owner=outsider)
    assert "owner" in refused.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"severity": 0}, "severity"),
        ({"severity": 5}, "severity"),
        ({"crisis_type": "alien_invasion"}, "crisis_type"),
        ({"description": "x" * 10001}, "description"),
    ],
)
def test_create_validates_the_fields(cell, member, fields, bad_field):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.incident_create(actor=member, cell=cell, **{"title": "Spike", **fields})
    assert bad_field in refused.value.message_dict
    assert counts() == before


# --- Edits -----------------------------------------------------------------------------------


def test_edit_logs_a_diff(incident, users):
    member2 = users["member2"]
    services.incident_update(
        actor=users["member"], incident=incident, severity=1, owner=member2, title="Viral video (2M views)"
    )
    incident.refresh_from_db()
    assert (incident.severity, incident.owner, incident.title) == (1, member2, "Viral video (2M views)")
    entry = LogEntry.objects.filter(incident=incident).order_by("-seq").first()
    assert entry.kind == LogKind.EDITED
    assert entry.actor == users["member"]
    assert entry.data == {
        "changes": {
            "severity": [2, 1],
            "owner": [None, member2.pk],
            "title": ["Viral video about Hydra+", "Viral video (2M views)"],
        }
    }


def test_edit_with_the_same_values_writes_nothing(incident, member):
    before = state_of(incident)
    services.incident_update(actor=member, incident=incident, severity=2, title=incident.title)
    assert state_of(incident) == before


def test_edit_with_no_field_is_refused(incident, member):
    before = state_of(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_update(actor=member, incident=incident)
    assert "__all__" in refused.value.message_dict
    assert state_of(incident) == before


@pytest.mark.parametrize("field", ["level", "cell", "created_by", "log_seq", "created_at"])
def test_edit_refuses_fields_that_are_not_editable(incident, manager, field):
    before = state_of(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_update(actor=manager, incident=incident, **{field: "crisis"})
    assert field in refused.value.message_dict
    assert state_of(incident) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"severity": 9},
        {"severity": "high"},
        {"crisis_type": "alien_invasion"},
        {"is_exercise": "maybe"},
        # One valid change and one invalid: nothing at all is written.
        {"description": "fine", "severity": 0},
    ],
)
def test_edit_with_an_invalid_value_writes_nothing(incident, member, changes):
    before = state_of(incident)
    with pytest.raises(ValidationError):
        services.incident_update(actor=member, incident=incident, **changes)
    assert state_of(incident) == before


def test_edit_owner_must_be_a_member(incident, member, outsider):
    before = state_of(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_update(actor=member, incident=incident, owner=outsider)
    assert "owner" in refused.value.message_dict
    assert state_of(incident) == before


def test_observer_cannot_edit(incident, observer):
    before = state_of(incident)
    with pytest.raises(PermissionDenied):
        services.incident_update(actor=observer, incident=incident, title="Mine now")
    assert state_of(incident) == before


def test_outsider_cannot_edit(incident, outsider):
    before = state_of(incident)
    with pytest.raises(Http404):
        services.incident_update(actor=outsider, incident=incident, title="Mine now")
    assert state_of(incident) == before


# --- Manual log entries and corrections ------------------------------------------------------


def test_member_adds_an_entry(incident, member):
    entry = services.log_entry_add(
        actor=member,
        incident=incident,
        text="  Le tweet d'origine a été supprimé 🎉  ",
        category=LogCategory.ACTION,
        source_url="https://example.org/status/1",
    )
    assert (entry.kind, entry.seq, entry.actor) == (LogKind.NOTE, 2, member)
    assert entry.text == "Le tweet d'origine a été supprimé 🎉"
    assert (entry.category, entry.source_url, entry.corrects) == ("action", "https://example.org/status/1", None)


def test_correction_points_to_the_corrected_entry(incident, member, users):
    wrong = services.log_entry_add(actor=member, incident=incident, text="500 shares")
    fix = services.log_entry_add(actor=users["member2"], incident=incident, text="5,000 shares", corrects=wrong)
    assert (fix.kind, fix.corrects) == (LogKind.CORRECTION, wrong)
    assert list(wrong.corrections.all()) == [fix]
    # The wrong entry is still there, unchanged.
    assert LogEntry.objects.get(pk=wrong.pk).text == "500 shares"


def test_correction_must_point_to_the_same_incident(incident, foreign_incident, member, cell):
    other_here = services.incident_create(actor=member, cell=cell, title="Another one")
    for elsewhere in (LogEntry.objects.filter(incident=foreign_incident).get(), other_here.log_entries.get()):
        before = counts()
        with pytest.raises(ValidationError) as refused:
            services.log_entry_add(actor=member, incident=incident, text="Fix", corrects=elsewhere)
        assert "corrects" in refused.value.message_dict
        assert counts() == before


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"text": ""}, "text"),
        ({"text": " \n "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"category": "gossip"}, "category"),
        ({"source_url": "not a link"}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"source_url": "https://example.org/" + "x" * 1000}, "source_url"),
    ],
)
def test_log_entry_validation(incident, member, fields, bad_field):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.log_entry_add(actor=member, incident=incident, **{"text": "Something", **fields})
    assert bad_field in refused.value.message_dict
    assert counts() == before


def test_observer_cannot_log(incident, observer):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.log_entry_add(actor=observer, incident=incident, text="I saw it too")
    assert counts() == before


def test_outsider_cannot_log(incident, outsider):
    before = counts()
    with pytest.raises(Http404):
        services.log_entry_add(actor=outsider, incident=incident, text="Hello")
    assert counts() == before


# --- Selectors ----------------------------------------------------------------------------------


def test_incidents_visible_to_are_those_of_the_users_cells(incident, foreign_incident, users):
    for role in ("observer", "member", "manager", "admin"):
        assert list(selectors.incidents_visible_to(users[role])) == [incident]
    assert list(selectors.incidents_visible_to(users["outsider"])) == [foreign_incident]


def test_user_in_two_cells_sees_both(incident, foreign_incident, other_cell, observer):
    MembershipFactory(cell=other_cell, user=observer, role=Role.OBSERVER)
    assert set(selectors.incidents_visible_to(observer)) == {incident, foreign_incident}


def test_user_without_cell_sees_nothing(incident):
    assert not selectors.incidents_visible_to(UserFactory(username="nobody")).exists()


def test_get_incident_for_user(incident, users):
    found, membership = selectors.get_incident_for_user(users["observer"], incident.pk)
    assert (found, membership.role) == (incident, Role.OBSERVER)
    with pytest.raises(PermissionDenied):
        selectors.get_incident_for_user(users["observer"], incident.pk, Role.MEMBER)
    assert selectors.get_incident_for_user(users["member"], str(incident.pk), Role.MEMBER)[0] == incident


@pytest.mark.parametrize("incident_id", ["outsider", 999999, "abc", None, "1.5"])
def test_get_incident_for_user_not_found(incident, users, incident_id):
    with pytest.raises(Http404):
        if incident_id == "outsider":
            selectors.get_incident_for_user(users["outsider"], incident.pk)
        else:
            selectors.get_incident_for_user(users["member"], incident_id)


def test_log_entries_newest_first_and_level_history(incident, manager):
    services.log_entry_add(actor=manager, incident=incident, text="Note")
    services.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Spike")
    services.incident_transition(actor=manager, incident=incident, to_level="crisis", reason="Storm")
    # (Reaching crisis also activates the cell, issue 15: entry 5.)
    assert [e.seq for e in selectors.log_entries(incident)] == [5, 4, 3, 2, 1]
    assert [e.data["to"] for e in selectors.level_history(incident).order_by("seq")] == ["alert", "crisis"]


def test_incident_cell_never_changes(incident, manager, other_cell):
    with pytest.raises(ValidationError):
        services.incident_update(actor=manager, incident=incident, cell=other_cell)
    assert Incident.objects.get(pk=incident.pk).cell_id == incident.cell_id


def test_superuser_edits_any_incident_for_the_admin(incident):
    """The Django admin is not scoped by cell: a superuser outside the cell may edit, and it is logged."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    services.incident_update(actor=root, incident=incident, severity=4)
    entry = LogEntry.objects.filter(incident=incident).order_by("-seq").first()
    assert (entry.kind, entry.actor, entry.data) == (LogKind.EDITED, root, {"changes": {"severity": [2, 4]}})


def test_superuser_outside_the_cell_does_not_escalate_or_log(incident):
    # Escalation and the log are the cell's decisions, not the site administrator's.
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(Http404):
        services.incident_transition(actor=root, incident=incident, to_level="alert", reason="Admin")
    with pytest.raises(Http404):
        services.log_entry_add(actor=root, incident=incident, text="Admin")
