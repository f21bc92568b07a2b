"""The cell's preparedness page: activation level, digest and reminder cadences, the on-call rota.
Managers and admins only; bad input is a 400 with the reason beside its field, never a 500."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from playbooks import activation
from playbooks.models import Preparedness, RotaSlot

from ..shared import SHARED

pytestmark = [pytest.mark.django_db, SHARED]

SETTINGS = {
    "form": "settings",
    "prefs-activation_level": "alert",
    "prefs-digest_hours": "2",
    "prefs-ack_remind_minutes": "5",
    "prefs-task_remind_minutes": "20",
    "prefs-escalate_after": "3",
}


@pytest.fixture(autouse=True)
def english(client):
    """The assertions read the English texts (the French ones: test_the_errors_speak_french)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(cell):
    return reverse("playbooks:settings", args=[cell.pk])


def local(dt):
    """As the user types it: in their time zone (the demo users have none: the default one)."""
    return timezone.localtime(dt, zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    "who, expected", [("outsider", 404), ("observer", 403), ("member", 403), ("manager", 200), ("admin", 200)]
)
def test_who_sees_the_page(client, users, cell, who, expected):
    client.force_login(users[who])
    response = client.get(url(cell))
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert 'name="prefs-activation_level"' in html and 'name="rota-user"' in html


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("member", 403), ("manager", 302)])
def test_who_changes_the_settings(client, users, cell, who, expected):
    client.force_login(users[who])
    assert client.post(url(cell), SETTINGS).status_code == expected
    prefs = activation.settings_for(cell.pk)
    if expected == 302:
        assert (prefs.activation_level, prefs.digest_hours, prefs.ack_remind_minutes) == ("alert", 2, 5)
        assert (prefs.task_remind_minutes, prefs.escalate_after) == (20, 3)
    else:
        assert not Preparedness.objects.filter(cell=cell).exists()


@pytest.mark.parametrize(
    "field, value",
    [("digest_hours", "0"), ("digest_hours", "deux"), ("ack_remind_minutes", "99999"), ("activation_level", "watch")],
)
def test_bad_settings_are_refused_beside_their_field(client, users, cell, field, value):
    client.force_login(users["manager"])
    response = client.post(url(cell), {**SETTINGS, f"prefs-{field}": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "errorlist" in html
    assert not Preparedness.objects.filter(cell=cell).exists()


def test_the_errors_speak_french(client, users, cell):
    client.force_login(users["manager"])
    with override("fr"):
        response = client.post(url(cell), {**SETTINGS, "prefs-digest_hours": "0"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Assurez-vous que cette valeur est supérieure ou égale à 1" in response.content.decode()
    html = response.content.decode()
    assert response.status_code == 400
    assert "Rien n\u2019a été enregistré" in html


def test_an_unknown_form_is_a_message_not_a_crash(client, users, cell):
    client.force_login(users["manager"])
    response = client.post(url(cell), {"form": "other"}, follow=True)
    assert response.status_code == 200
    assert "settings form or the rota form" in response.content.decode()


def test_a_manager_adds_and_removes_an_on_call_slot(client, users, cell):
    client.force_login(users["manager"])
    start = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    data = {
        "form": "rota",
        "rota-user": users["member"].pk,
        "rota-starts_at": local(start),
        "rota-ends_at": local(start + datetime.timedelta(hours=12)),
    }
    assert client.post(url(cell), data).status_code == 302
    slot = RotaSlot.objects.get(cell=cell)
    assert (slot.user, slot.starts_at) == (users["member"], start)
    html = client.get(url(cell)).content.decode()
    assert f'id="slot-{slot.pk}" class="current"' in html
    remove = reverse("playbooks:rota-remove", args=[cell.pk, slot.pk])
    client.force_login(users["member"])
    assert client.post(remove).status_code == 403
    client.force_login(users["outsider"])
    assert client.post(remove).status_code == 404
    client.force_login(users["manager"])
    assert client.post(remove).status_code == 302
    assert not RotaSlot.objects.filter(cell=cell).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rota-user": ""}, "rota-user"),
        ({"rota-user": "outsider"}, "rota-user"),
        ({"rota-ends_at": "2026-01-01T08:00"}, "rota-ends_at"),
        ({"rota-starts_at": "demain"}, "rota-starts_at"),
    ],
)
def test_a_bad_slot_is_refused_with_its_reason(client, users, cell, change, field):
    client.force_login(users["manager"])
    data = {
        "form": "rota",
        "rota-user": users["member"].pk,
        "rota-starts_at": "2026-01-01T09:00",
        "rota-ends_at": "2026-01-01T18:00",
        **change,
    }
    if data["rota-user"] == "outsider":
        data["rota-user"] = users["outsider"].pk
    response = client.post(url(cell), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The slot was not added" in html and f'id="id_{field}"' in html
    assert not RotaSlot.objects.exists()


def test_another_cells_slot_is_not_found(client, users, cell, other_cell):
    slot = RotaSlot.objects.create(
        cell=other_cell,
        user=users["outsider"],
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client.force_login(users["manager"])
    assert client.post(reverse("playbooks:rota-remove", args=[cell.pk, slot.pk])).status_code == 404
    assert RotaSlot.objects.filter(pk=slot.pk).exists()


def test_the_playbooks_page_links_to_it_for_managers_only(client, users, cell):
    client.force_login(users["manager"])
    assert url(cell) in client.get(reverse("playbooks:cell", args=[cell.pk])).content.decode()
    client.force_login(users["member"])
    assert url(cell) not in client.get(reverse("playbooks:cell", args=[cell.pk])).content.decode()


def test_the_page_takes_the_same_queries_with_2_or_40_slots(client, users, cell):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(cell)).status_code == 200
        return len(captured)

    client.force_login(users["manager"])
    start = timezone.now()
    people = [users["member"], users["member2"], users["manager"]]

    def add(n):
        RotaSlot.objects.bulk_create(
            RotaSlot(
                cell=cell,
                user=people[i % 3],
                starts_at=start + datetime.timedelta(hours=i),
                ends_at=start + datetime.timedelta(hours=i + 1),
            )
            for i in range(RotaSlot.objects.count(), RotaSlot.objects.count() + n)
        )

    add(2)
    few = queries()
    add(38)
    assert queries() == few
