"""The review deadline of published holding statements, and the reminders armed with it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import Conflict
from incidents import services as incidents
from reminders.models import Reminder, ReminderKind, ReminderStatus, ReviewCadence
from statements import review
from statements import services as statements
from statements.models import StatementLogKind
from tests.facts.helpers import make_statement, published, version

pytestmark = pytest.mark.django_db
MIN = datetime.timedelta(minutes=1)


def review_reminder(statement):
    return Reminder.objects.get(kind=ReminderKind.STATEMENT_REVIEW, statement=statement)


@pytest.fixture
def live(incident, member, manager):
    """A published holding statement (the incident is at watch)."""
    statement = make_statement(incident, member)
    published(statement, member, manager)
    statement.refresh_from_db()
    return statement


def published_at(statement):
    return statement.versions.get(status="published").published_at


def test_publication_sets_the_deadline_and_arms_the_reminder(live):
    assert live.review_due_at == published_at(live) + 480 * MIN
    reminder = review_reminder(live)
    assert reminder.status == ReminderStatus.ACTIVE and reminder.next_due_at == live.review_due_at


def test_a_new_publication_resets_the_clock_and_the_misses(live, member, manager):
    Reminder.objects.filter(statement=live).update(misses=2)
    current = live.versions.get(status="published")
    statements.version_edit(actor=member, version=current, expected_revision=current.revision, text="Update")
    published(live, member, manager)
    live.refresh_from_db()
    assert live.review_due_at == published_at(live) + 480 * MIN
    reminder = review_reminder(live)
    assert reminder.misses == 0 and reminder.generation == 2


def test_cells_configure_their_cadence(cell, incident, member, manager):
    ReviewCadence.objects.create(cell=cell, watch_minutes=60)
    statement = make_statement(incident, member)
    published(statement, member, manager)
    statement.refresh_from_db()
    assert statement.review_due_at == published_at(statement) + 60 * MIN


def test_the_deadline_follows_the_level_from_the_publication_time(live, incident, manager):
    incidents.incident_transition(actor=manager, incident=incident, to_level="crisis", reason="Storm")
    live.refresh_from_db()
    assert live.review_due_at == published_at(live) + 30 * MIN
    assert review_reminder(live).next_due_at == live.review_due_at
    entry = incident.log_entries.filter(kind=StatementLogKind.STATEMENT, data__action="review_due_recomputed").get()
    assert entry.data["level"] == "crisis" and str(live.pk) in entry.data["review_due_at"]

    incidents.incident_transition(actor=manager, incident=incident, to_level="alert", reason="Calmer")
    live.refresh_from_db()
    assert live.review_due_at == published_at(live) + 120 * MIN


def test_closing_the_incident_stops_the_review_clock(live, incident, manager):
    incidents.incident_transition(actor=manager, incident=incident, to_level="closed", reason="False alarm")
    live.refresh_from_db()
    assert live.review_due_at is None
    assert review_reminder(live).status == ReminderStatus.DONE


def test_a_manager_moves_the_deadline_with_a_logged_reason(live, manager, member):
    later = timezone.now() + 90 * MIN
    with pytest.raises(PermissionDenied):
        review.set_review_due(actor=member, statement=live, due_at=later, reason="x")
    with pytest.raises(ValidationError):
        review.set_review_due(actor=manager, statement=live, due_at=timezone.now() - MIN)
    review.set_review_due(actor=manager, statement=live, due_at=later, reason="Reviewed, still accurate")
    live.refresh_from_db()
    assert live.review_due_at == later and review_reminder(live).next_due_at == later
    entry = live.incident.log_entries.filter(data__action="review_due_set").get()
    assert entry.text == "Reviewed, still accurate" and entry.actor == manager


def test_only_published_holding_statements_have_a_deadline_to_move(incident, member, manager):
    statement = make_statement(incident, member)
    with pytest.raises(Conflict):
        review.set_review_due(actor=manager, statement=statement, due_at=timezone.now() + MIN)


def test_submitting_arms_the_review_wait_reminder_and_a_decision_stops_it(incident, member, manager, cell):
    ReviewCadence.objects.create(cell=cell, review_wait_minutes=10)
    statement = make_statement(incident, member)
    submitted = statements.version_submit(actor=member, version=version(statement))
    reminder = Reminder.objects.get(kind=ReminderKind.VERSION_IN_REVIEW, version=submitted)
    assert reminder.next_due_at == submitted.submitted_at + 10 * MIN
    statements.version_approve(actor=manager, version=submitted)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
