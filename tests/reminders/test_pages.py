"""The communication settings page of a cell, and the snooze page of a reminder."""

import pytest
from django.urls import reverse

from facts.models import FactPolicy
from reminders.models import Reminder, ReviewCadence
from tests.facts.helpers import make_fact, make_statement, published
from tests.pages import rows

pytestmark = pytest.mark.django_db

SETTINGS = {
    "crisis_minutes": "20",
    "alert_minutes": "90",
    "watch_minutes": "300",
    "recovery_minutes": "400",
    "repeat_minutes": "10",
    "escalate_after": "2",
    "review_wait_minutes": "15",
    "claim_unanswered_minutes": "45",
}


def url(cell):
    return reverse("workspace:comms-settings", args=[cell.pk])


def test_admin_changes_the_settings(as_user, cell):
    client = as_user("admin")
    content = client.get(url(cell)).content.decode()
    assert 'name="crisis_minutes"' in content and 'value="30"' in content  # the defaults
    assert 'name="verifier_must_differ"' in content and "checked" in content
    response = client.post(url(cell), SETTINGS)  # the checkbox unticked: four-eyes off
    assert response.status_code == 302
    cadence = ReviewCadence.objects.get(cell=cell)
    assert (cadence.crisis_minutes, cadence.escalate_after, cadence.claim_unanswered_minutes) == (20, 2, 45)
    assert FactPolicy.objects.get(cell=cell).verifier_must_differ is False
    content = client.get(url(cell)).content.decode()
    assert 'value="20"' in content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"crisis_minutes": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"alert_minutes": "soon"}, "Enter a whole number."),
        ({"escalate_after": ""}, "This field is required."),
    ],
)
def test_bad_settings_are_refused(as_user, cell, change, message):
    before = (ReviewCadence.objects.count(), FactPolicy.objects.count())
    response = as_user("admin").post(url(cell), {**SETTINGS, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (ReviewCadence.objects.count(), FactPolicy.objects.count()) == before


def test_manager_reads_them_but_cannot_change_them(as_user, cell):
    client = as_user("manager")
    content = client.get(url(cell)).content.decode()
    assert "Only an administrator of the cell can change these settings." in content
    assert '<fieldset class="settings-group" disabled>' in content
    response = client.post(url(cell), SETTINGS)
    assert response.status_code == 403
    assert not ReviewCadence.objects.exists()


def test_members_page_links_the_settings_for_managers_only(as_user, cell):
    members = reverse("cells:members", args=[cell.pk])
    assert url(cell) in as_user("manager").get(members).content.decode()
    assert url(cell) not in as_user("member").get(members).content.decode()


def test_settings_page_in_french(as_user, cell):
    content = as_user("admin", "fr").get(url(cell)).content.decode()
    assert "Réglages de communication" in content


def test_snooze_page(as_user, incident, users):
    statement = make_statement(
        incident, users["member"], facts=[make_fact(incident, users["member2"], verifier=users["manager"])]
    )
    published(statement, users["member"], users["manager"])
    reminder = Reminder.objects.get(statement=statement)
    snooze = reverse("reminders:snooze", args=[incident.pk, reminder.pk])
    client = as_user("member")
    content = client.get(snooze).content.decode()
    assert "Holding statement due for review" in content
    assert reverse("statements:detail", args=[incident.pk, statement.pk]) in content
    before = rows()
    response = client.post(snooze, {f"r{reminder.pk}-minutes": "7", f"r{reminder.pk}-reason": "x"})
    assert response.status_code == 400  # not one of the offered durations
    assert "Select a valid choice" in response.content.decode()
    assert rows() == before
