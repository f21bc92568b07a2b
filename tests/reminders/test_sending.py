"""Sending due reminders: due, repeat, escalate, snooze, and never twice (services and task, in-process)."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import Conflict
from facts import claims
from notifications.models import Notification
from reminders import services, tasks
from reminders.models import Reminder, ReminderKind, ReminderLogKind, ReminderNotice, ReminderStatus, ReviewCadence
from statements import services as statements
from tests.facts.helpers import make_statement, published, version

pytestmark = pytest.mark.django_db
MIN = datetime.timedelta(minutes=1)


def make_due(reminder, minutes_ago=1):
    Reminder.objects.filter(pk=reminder.pk).update(next_due_at=timezone.now() - minutes_ago * MIN)
    reminder.refresh_from_db()
    return reminder


def fire(reminder) -> bool:
    reminder.refresh_from_db()
    return services.fire(reminder_id=reminder.pk, due_at=reminder.next_due_at)


def recipients(reminder, occurrence):
    """Who was told at that sending: each person's one notice about the reminder shows its latest sending."""
    rows = Notification.objects.filter(data__reminder=reminder.pk, data__occurrence=occurrence)
    return sorted(n.user.username for n in rows)


def reminder_notices():
    return Notification.objects.filter(kind__in=[ReminderNotice.REMINDER, ReminderNotice.ESCALATION])


@pytest.fixture
def review_due(incident, member, manager):
    """The review reminder of a published holding statement by max (published by mona), now due."""
    statement = make_statement(incident, member)
    published(statement, member, manager)
    return make_due(Reminder.objects.get(kind=ReminderKind.STATEMENT_REVIEW, statement=statement))


def test_a_due_reminder_goes_to_the_author_and_publisher_and_repeats_later(review_due, incident):
    before = timezone.now()
    assert fire(review_due)
    assert recipients(review_due, 1) == ["max", "mona"]
    review_due.refresh_from_db()
    assert review_due.misses == 1
    assert before + 15 * MIN <= review_due.next_due_at <= timezone.now() + 15 * MIN  # the default repeat
    entry = incident.log_entries.filter(kind=ReminderLogKind.REMINDER).get()
    assert entry.data["action"] == "sent" and entry.data["occurrence"] == 1
    assert entry.data["statement"] == review_due.statement_id


def test_a_second_run_with_what_it_saw_sends_nothing(review_due):
    seen = review_due.next_due_at
    assert services.fire(reminder_id=review_due.pk, due_at=seen)
    assert not services.fire(reminder_id=review_due.pk, due_at=seen)
    assert reminder_notices().count() == 2
    assert all(n.count == 1 for n in reminder_notices())


def test_it_repeats_until_handled_and_escalates_to_all_managers_after_n_misses(review_due, cell):
    ReviewCadence.objects.create(cell=cell, escalate_after=2)
    assert fire(review_due)
    assert not fire(review_due)  # not due again yet
    assert fire(make_due(review_due))
    assert recipients(review_due, 2) == ["max", "mona"]
    assert fire(make_due(review_due))
    assert recipients(review_due, 3) == ["alice", "max", "mona"]
    third = Notification.objects.filter(data__reminder=review_due.pk, data__occurrence=3)
    assert {n.kind for n in third} == {ReminderNotice.ESCALATION}
    assert third.first().title.startswith("[Escalated]")
    # One notice per person, counted, not one per sending: the bell does not fill up.
    counts = {n.user.username: n.count for n in Notification.objects.filter(data__reminder=review_due.pk)}
    assert counts == {"max": 3, "mona": 3, "alice": 1}
    actions = list(
        review_due.incident.log_entries.filter(kind=ReminderLogKind.REMINDER).values_list("data__action", flat=True)
    )
    assert sorted(actions) == ["escalated", "sent", "sent"]


def test_handling_stops_it(review_due, member, manager):
    live = review_due.statement.versions.get(status="published")
    statements.version_withdraw(actor=manager, version=live, reason="Replaced by the recall notice")
    review_due.refresh_from_db()
    assert review_due.status == ReminderStatus.DONE
    assert not services.fire(reminder_id=review_due.pk, due_at=review_due.next_due_at)
    assert not reminder_notices().exists()


def test_a_reminder_whose_target_was_handled_behind_its_back_stops_itself(review_due):
    review_due.statement.__class__.objects.filter(pk=review_due.statement_id).update(review_due_at=None)
    assert not fire(review_due)
    review_due.refresh_from_db()
    assert review_due.status == ReminderStatus.DONE and not reminder_notices().exists()


def test_snooze_needs_a_reason_is_logged_and_resets_the_misses(review_due, member, observer):
    fire(review_due)
    with pytest.raises(ValidationError):
        services.snooze(actor=member, reminder=review_due, minutes=30, reason=" ")
    with pytest.raises(PermissionDenied):
        services.snooze(actor=observer, reminder=review_due, minutes=30, reason="Later")
    with pytest.raises(ValidationError):
        services.snooze(actor=member, reminder=review_due, minutes=0, reason="Later")
    snoozed = services.snooze(actor=member, reminder=review_due, minutes=30, reason="Waiting for the lab")
    assert snoozed.misses == 0 and snoozed.snooze_reason == "Waiting for the lab"
    assert snoozed.next_due_at > timezone.now() + 29 * MIN
    assert services.due() == []
    entry = review_due.incident.log_entries.filter(kind=ReminderLogKind.REMINDER, data__action="snoozed").get()
    assert entry.text == "Waiting for the lab" and entry.actor == member and entry.data["minutes"] == 30


def test_after_a_snooze_it_is_sent_again_when_due(review_due, member):
    assert fire(review_due)
    services.snooze(actor=member, reminder=review_due, minutes=30, reason="Waiting for the lab")
    assert fire(make_due(review_due))
    review_due.refresh_from_db()
    assert review_due.misses == 1 and review_due.generation == 2
    # Two sendings, two people: each person's one notice counts both.
    notices = Notification.objects.filter(data__reminder=review_due.pk)
    assert sorted((n.user.username, n.count) for n in notices) == [("max", 2), ("mona", 2)]


def test_a_handled_reminder_cannot_be_snoozed(review_due, member):
    Reminder.objects.filter(pk=review_due.pk).update(status=ReminderStatus.DONE)
    with pytest.raises(Conflict):
        services.snooze(actor=member, reminder=review_due, minutes=5, reason="x")


def test_managers_hear_of_a_version_waiting_in_review_the_author_does_not(incident, member, manager, users):
    incident.owner = manager
    incident.save(update_fields=["owner"])
    statement = make_statement(incident, member)
    submitted = statements.version_submit(actor=member, version=version(statement))
    reminder = make_due(Reminder.objects.get(kind=ReminderKind.VERSION_IN_REVIEW, version=submitted))
    assert fire(reminder)
    assert recipients(reminder, 1) == ["mona"]  # the owner, a manager who may approve it
    with pytest.raises(PermissionDenied):
        services.snooze(actor=member, reminder=reminder, minutes=5, reason="x")


def test_a_claim_circulating_unanswered_reminds_its_reporter_then_the_managers(incident, member, cell):
    ReviewCadence.objects.create(cell=cell, escalate_after=1)
    claim = claims.claim_create(actor=member, incident=incident, text="Hydra+ is toxic")
    reminder = make_due(Reminder.objects.get(kind=ReminderKind.CLAIM_UNANSWERED, claim=claim))
    assert fire(reminder)
    assert recipients(reminder, 1) == ["max"]
    assert fire(make_due(reminder))
    assert recipients(reminder, 2) == ["alice", "max", "mona"]


def test_people_who_left_the_cell_are_not_reminded(review_due, member):
    member.memberships.all().delete()
    assert fire(review_due)
    assert recipients(review_due, 1) == ["mona"]


def test_the_task_sends_each_due_reminder_once_even_when_run_twice(review_due, incident, member):
    other = claims.claim_create(actor=member, incident=incident, text="Another rumour")
    make_due(Reminder.objects.get(claim=other))
    assert tasks.process_due_reminders() == 2
    assert tasks.process_due_reminders() == 0
    assert Notification.objects.filter(data__occurrence=1).count() == 3


def test_the_task_works_in_capped_batches_and_queues_the_rest(incident, member):
    for n in range(3):
        claim = claims.claim_create(actor=member, incident=incident, text=f"Rumour {n}")
        make_due(Reminder.objects.get(claim=claim), minutes_ago=10 - n)
    with mock.patch.object(tasks.process_due_reminders, "delay") as queue_next:
        assert tasks.process_due_reminders(batch_size=2) == 2
    queue_next.assert_called_once_with(2)
    # The most overdue went first; the third is still due.
    assert len(services.due()) == 1


def test_a_failing_reminder_does_not_hold_up_the_others(review_due, incident, member):
    claim = claims.claim_create(actor=member, incident=incident, text="Rumour")
    make_due(Reminder.objects.get(claim=claim), minutes_ago=60)
    real_fire = services.fire

    def flaky(*, reminder_id, due_at):
        if reminder_id == review_due.pk:
            raise RuntimeError("SMTP down")
        return real_fire(reminder_id=reminder_id, due_at=due_at)

    with mock.patch.object(services, "fire", flaky):
        assert tasks.process_due_reminders() == 1
    assert [pk for pk, _ in services.due()] == [review_due.pk]
