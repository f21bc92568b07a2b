"""Activation, acknowledgement and rota endpoints and pages: the permission matrix."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from playbooks import activation
from playbooks.models import Acknowledgement, RotaSlot

from ..shared import SHARED

pytestmark = [pytest.mark.django_db, SHARED]


@pytest.fixture
def act(users, incident):
    return activation.activate_by_hand(actor=users["manager"], incident=incident, message="Salle de crise, 10 h")


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403), ("manager", 201)])
def test_activate_by_hand(api, users, incident, who, expected):
    url = f"/api/v1/incidents/{incident.pk}/activations/"
    response = api(users[who]).post(url, {"message": "Venez"}, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        assert len(response.json()["acks"]) == 5


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("member", 200)])
def test_acknowledge(api, users, incident, act, who, expected):
    url = f"/api/v1/incidents/{incident.pk}/activations/{act.pk}/acknowledge/"
    response = api(users[who]).post(url, {"answer": "on_it"}, format="json")
    assert response.status_code == expected
    if expected == 200:
        assert api(users[who]).post(url, {"answer": "on_it"}, format="json").status_code == 409
        assert api(users[who]).post(url, {"answer": "perhaps"}, format="json").status_code == 400


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200)])
def test_list_activations(api, users, incident, act, who, expected, django_assert_max_num_queries):
    response = api(users[who]).get(f"/api/v1/incidents/{incident.pk}/activations/")
    assert response.status_code == expected


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("member", 302)])
def test_ack_page(client, users, incident, act, who, expected):
    client.force_login(users[who])
    url = reverse("playbooks:ack", args=[incident.pk, act.pk])
    assert client.get(url).status_code == (404 if who == "outsider" else 200)
    response = client.post(url, {"answer": "on_it"})
    assert response.status_code == (404 if who == "outsider" else 302)
    on_it = Acknowledgement.objects.filter(activation=act, user=users[who], status="on_it").exists()
    assert on_it == (who != "outsider")


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("member", 403), ("manager", 302)])
def test_activate_page(client, users, incident, who, expected):
    client.force_login(users[who])
    response = client.post(reverse("playbooks:activate", args=[incident.pk]), {"message": "Venez"})
    assert response.status_code == expected


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 200), ("member", 200)])
def test_activation_panel(client, users, incident, act, who, expected):
    client.force_login(users[who])
    response = client.get(reverse("playbooks:activation-panel", args=[incident.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "Salle de crise" in response.content.decode()


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403), ("manager", 201)])
def test_rota(api, users, cell, who, expected):
    now = timezone.now()
    body = {
        "user": users["member"].pk,
        "starts_at": now.isoformat(),
        "ends_at": (now + datetime.timedelta(hours=8)).isoformat(),
    }
    response = api(users[who]).post(f"/api/v1/cells/{cell.pk}/rota/", body, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        assert api(users["observer"]).get(f"/api/v1/cells/{cell.pk}/rota/").json()["count"] == 1
        bad = {**body, "ends_at": body["starts_at"]}
        assert api(users[who]).post(f"/api/v1/cells/{cell.pk}/rota/", bad, format="json").status_code == 400
        outsider = {**body, "user": users["outsider"].pk}
        assert api(users[who]).post(f"/api/v1/cells/{cell.pk}/rota/", outsider, format="json").status_code == 400
        slot = RotaSlot.objects.get()
        assert api(users["member"]).delete(f"/api/v1/cells/{cell.pk}/rota/{slot.pk}/").status_code == 403
        assert api(users[who]).delete(f"/api/v1/cells/{cell.pk}/rota/{slot.pk}/").status_code == 204


@pytest.mark.parametrize("who, expected", [("outsider", 404), ("observer", 403), ("member", 403), ("manager", 200)])
def test_preparedness_settings(api, users, cell, who, expected):
    url = f"/api/v1/cells/{cell.pk}/preparedness/"
    assert api(users["observer"]).get(url).json()["activation_level"] == "crisis"
    response = api(users[who]).patch(url, {"activation_level": "alert", "digest_hours": 2}, format="json")
    assert response.status_code == expected, response.content
    if expected == 200:
        assert api(users["observer"]).get(url).json()["digest_hours"] == 2
        assert api(users[who]).patch(url, {"digest_hours": 0}, format="json").status_code == 400
        assert api(users[who]).patch(url, {"activation_level": "watch"}, format="json").status_code == 400


def test_a_rota_slot_with_a_wrong_json_type_is_a_400(api, users, cell):
    body = {"user": users["member"].pk, "starts_at": "2030-01-01T00:00:00Z", "ends_at": {}}
    response = api(users["manager"]).post(f"/api/v1/cells/{cell.pk}/rota/", body, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()
