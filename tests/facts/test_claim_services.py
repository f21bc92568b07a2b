import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import Conflict
from facts import claims, selectors
from facts.models import ClaimStatus, FactLogKind
from incidents import services as incidents
from reminders.models import Reminder, ReminderKind, ReminderStatus, ReviewCadence

from .helpers import log_actions, make_fact, make_statement, published

pytestmark = pytest.mark.django_db


def register(incident, author, *, minutes_ago=0, text="Hydra+ explodes when charged"):
    return claims.claim_create(
        actor=author,
        incident=incident,
        text=text,
        first_seen_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        where="TikTok",
        estimated_reach=120000,
        language="fr",
    )


def unanswered_reminder(claim):
    return Reminder.objects.get(kind=ReminderKind.CLAIM_UNANSWERED, claim=claim)


def test_registering_a_claim_logs_it_and_arms_the_unanswered_reminder(incident, member, cell):
    ReviewCadence.objects.create(cell=cell, claim_unanswered_minutes=45)
    claim = register(incident, member, minutes_ago=10)
    assert claim.status == ClaimStatus.CIRCULATING
    reminder = unanswered_reminder(claim)
    assert reminder.status == ReminderStatus.ACTIVE
    assert reminder.next_due_at == claim.first_seen_at + datetime.timedelta(minutes=45)
    assert log_actions(incident, FactLogKind.CLAIM) == ["registered"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("text", "  "), ("language", "French!"), ("url", "not a url"), ("first_seen_at", "future")],
)
def test_bad_claims_are_refused(incident, member, field, value):
    fields = {"text": "A rumour", field: value}
    if value == "future":
        fields[field] = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        claims.claim_create(actor=member, incident=incident, **fields)
    assert field in error.value.message_dict
    assert not incident.claims.exists()


def test_observers_cannot_register_claims(incident, observer):
    with pytest.raises(PermissionDenied):
        register(incident, observer)


def test_the_workflow_refuses_moves_it_does_not_have_and_says_what_is_allowed(incident, member):
    claim = register(incident, member)
    with pytest.raises(ValidationError) as error:
        claims.claim_transition(actor=member, claim=claim, to_status="debunked")
    assert "Under check, Faded" in error.value.message_dict["to"][0]


def test_debunking_needs_a_verified_refuting_fact(incident, member, manager):
    claim = register(incident, member)
    claims.claim_transition(actor=member, claim=claim, to_status="under_check")
    confirming = make_fact(incident, member, text="Two batteries overheated", verifier=manager)
    claims.claim_link_fact(actor=member, claim=claim, fact=confirming, relation="confirms")
    refuting = make_fact(incident, member, text="No battery exploded")
    claims.claim_link_fact(actor=member, claim=claim, fact=refuting, relation="refutes")
    with pytest.raises(ValidationError, match="Debunking a claim needs at least one verified fact"):
        claims.claim_transition(actor=member, claim=claim, to_status="debunked")

    from facts import services as facts

    facts.fact_verify(actor=manager, fact=refuting)
    claim = claims.claim_transition(actor=member, claim=claim, to_status="debunked", note="Lab tests")
    assert claim.status == ClaimStatus.DEBUNKED and claim.status_note == "Lab tests"
    assert log_actions(incident, FactLogKind.CLAIM) == ["registered", "status", "fact_linked", "fact_linked", "status"]


def test_confirming_needs_a_verified_confirming_fact(incident, member, manager):
    claim = register(incident, member)
    claims.claim_transition(actor=member, claim=claim, to_status="under_check")
    with pytest.raises(ValidationError, match="Confirming a claim needs"):
        claims.claim_transition(actor=member, claim=claim, to_status="confirmed")
    fact = make_fact(incident, member, verifier=manager)
    claims.claim_link_fact(actor=member, claim=claim, fact=fact, relation="confirms")
    assert claims.claim_transition(actor=member, claim=claim, to_status="confirmed").status == ClaimStatus.CONFIRMED


def test_leaving_circulating_stops_the_reminder_and_resurfacing_rearms_it(incident, member):
    claim = register(incident, member)
    claim = claims.claim_transition(actor=member, claim=claim, to_status="faded")
    assert unanswered_reminder(claim).status == ReminderStatus.DONE
    claims.claim_transition(actor=member, claim=claim, to_status="circulating", note="Back on X")
    reminder = unanswered_reminder(claim)
    assert reminder.status == ReminderStatus.ACTIVE and reminder.generation == 2


def test_a_stale_screen_gets_a_conflict(incident, member, users):
    claim = register(incident, member)
    claims.claim_transition(actor=member, claim=claim, to_status="under_check")
    with pytest.raises(Conflict, match="now Under check"):
        claims.claim_transition(actor=users["member2"], claim=claim, to_status="faded", expected_status="circulating")


def test_observers_cannot_move_claims(incident, member, observer):
    claim = register(incident, member)
    with pytest.raises(PermissionDenied):
        claims.claim_transition(actor=observer, claim=claim, to_status="under_check")


def test_facts_of_another_incident_cannot_be_linked(incident, member, cell):
    other = incidents.incident_create(actor=member, cell=cell, title="Other")
    claim = register(incident, member)
    with pytest.raises(ValidationError, match="same incident"):
        claims.claim_link_fact(actor=member, claim=claim, fact=make_fact(other, member), relation="refutes")


def test_a_fact_linked_twice_keeps_its_relation(incident, member):
    claim = register(incident, member)
    fact = make_fact(incident, member)
    claims.claim_link_fact(actor=member, claim=claim, fact=fact, relation="refutes")
    claims.claim_link_fact(actor=member, claim=claim, fact=fact, relation="refutes")
    with pytest.raises(ValidationError, match="already linked"):
        claims.claim_link_fact(actor=member, claim=claim, fact=fact, relation="confirms")
    assert claim.fact_links.count() == 1


def test_editing_a_claim_logs_the_changes_and_moves_the_reminder(incident, member):
    claim = register(incident, member, minutes_ago=5)
    earlier = claim.first_seen_at - datetime.timedelta(hours=2)
    claim = claims.claim_update(actor=member, claim=claim, estimated_reach=500000, first_seen_at=earlier)
    assert claim.estimated_reach == 500000
    assert unanswered_reminder(claim).next_due_at == earlier + datetime.timedelta(minutes=60)
    entry = incident.log_entries.filter(kind=FactLogKind.CLAIM).order_by("-seq").first()
    assert entry.data["action"] == "edited" and entry.data["changes"]["estimated_reach"] == [120000, 500000]
    with pytest.raises(ValidationError):
        claims.claim_update(actor=member, claim=claim, status="debunked")


def test_the_register_lists_open_claims_first_oldest_first_with_their_age(incident, member, manager):
    settled = register(incident, member, minutes_ago=300, text="Old and settled")
    claims.claim_transition(actor=member, claim=settled, to_status="faded")
    recent = register(incident, member, minutes_ago=5, text="Recent")
    old = register(incident, member, minutes_ago=90, text="Old and open")
    listed = list(selectors.claims_for_incident(incident))
    assert [c.pk for c in listed] == [old.pk, recent.pk, settled.pk]
    now = timezone.now()
    assert datetime.timedelta(minutes=89) < selectors.claim_age(listed[0], now) < datetime.timedelta(minutes=91)
    # A settled claim's age stops when it was settled.
    assert selectors.claim_age(listed[2], now + datetime.timedelta(days=1)) < datetime.timedelta(minutes=301)


def test_a_published_answer_stops_the_unanswered_reminder(incident, member, manager):
    claim = register(incident, member)
    statement = make_statement(incident, member)
    from statements import services as statements

    statements.statement_update(actor=member, statement=statement, answers=[claim.pk])
    assert unanswered_reminder(claim).status == ReminderStatus.ACTIVE  # a draft answers nobody yet
    published(statement, member, manager)
    assert unanswered_reminder(claim).status == ReminderStatus.DONE
    listed = selectors.claims_for_incident(incident).get(pk=claim.pk)
    assert [s.pk for s in listed.published_answers] == [statement.pk]
