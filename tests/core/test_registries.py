"""Registries instead of central tables (issue 11): each app registers its own entries in ready()."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from core.registry import Registry
from incidents import crisislog, log_kinds, references, workspace
from incidents.models import LogEntry
from notifications import registry as notices
from notifications.models import Notification
from notifications.services import notify


def test_a_key_twice_with_another_value_is_a_startup_error():
    things = Registry("things")
    things.register("a", 1)
    things.register("a", 1)  # ready() run twice registers the same: harmless
    with pytest.raises(ImproperlyConfigured):
        things.register("a", 2)
    assert list(things) == ["a"] and things["a"] == 1 and "b" not in things


def test_every_app_registered_its_crisis_log_kinds_with_the_values_stored_so_far():
    # The values in the database before the registries: none may disappear.
    assert set(log_kinds.keys()) >= {
        "created", "edited", "level_changed", "note", "correction", "notification",
        "fact", "claim", "statement", "reminder", "pin",
    }  # fmt: skip
    assert log_kinds.panels("fact") == ["facts", "claims", "glance", "log"]
    assert log_kinds.panels("unknown") == ["log"]
    assert set(log_kinds.automatic_kinds()) == {"notification", "reminder"}
    assert log_kinds.worded_kinds() >= {"fact", "claim", "statement", "reminder"}


def test_every_app_registered_its_notification_kinds_and_wordings():
    assert set(notices.KINDS) >= {"needs_review", "reminder", "escalation", "mention", "approval", "statement", "level"}
    assert set(notices.WORDINGS) >= {
        "mention", "needs_review", "reminder.statement_review", "reminder.version_in_review",
        "reminder.claim_unanswered", "statement.submitted", "statement.approved", "statement.rejected",
        "statement.published", "incident.escalated",
    }  # fmt: skip
    assert list(notices.LINKS)[:2] == ["statement", "reminder"]


def test_objects_people_name_and_the_panels():
    assert references.kinds()[:3] == ["fact", "claim", "statement"]
    assert set(references.lockable()) == {"fact", "statement"}
    # A log entry about a claim and a fact links to the claim (the kind registered later wins).
    assert references.named_in({"fact": 3, "claim": 4}) == ("claim", 4)
    assert references.named_in({"text": "nothing"}) is None
    assert set(workspace.PANELS) >= {"claims", "facts", "statements", "chat"}


@pytest.mark.django_db
def test_an_unregistered_kind_is_refused_before_anything_is_written(incident, member):
    count = LogEntry.objects.count()
    with pytest.raises(ValueError, match="not a registered crisis-log kind"):
        crisislog.append_entry(incident=incident, kind="nonsense", actor=member)
    assert LogEntry.objects.count() == count
    with pytest.raises(ValueError, match="not a registered notification kind"):
        notify(users=[member], cell=incident.cell, kind="nonsense", title="x")
    assert not Notification.objects.filter(kind="nonsense").exists()


@pytest.mark.django_db
def test_kind_labels_come_from_the_registry(incident):
    entry = LogEntry.objects.filter(incident=incident).first()
    with translation.override("en"):
        assert entry.get_kind_display() == "Incident created"
    with translation.override("fr"):
        assert entry.get_kind_display() == "Incident ouvert"
