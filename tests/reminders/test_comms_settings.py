import pytest

from facts.models import FactPolicy
from reminders.models import ReviewCadence

pytestmark = pytest.mark.django_db


def url(cell):
    return f"/api/v1/cells/{cell.pk}/communication-settings/"


def test_defaults_then_a_cell_admin_changes_them(api, cell, users):
    body = api(users["observer"]).get(url(cell)).json()
    assert body["verifier_must_differ"] is True and body["crisis_minutes"] == 30 and body["watch_minutes"] == 480
    response = api(users["admin"]).patch(url(cell), {"verifier_must_differ": False, "crisis_minutes": 20})
    assert response.status_code == 200, response.data
    assert response.json()["crisis_minutes"] == 20 and response.json()["alert_minutes"] == 120
    assert FactPolicy.objects.get(cell=cell).verifier_must_differ is False
    assert ReviewCadence.objects.get(cell=cell).crisis_minutes == 20


@pytest.mark.parametrize("body", [{"crisis_minutes": 0}, {"repeat_minutes": "soon"}, {"level": "crisis"}])
def test_bad_settings_are_400(api, cell, users, body):
    assert api(users["admin"]).patch(url(cell), body, format="json").status_code == 400
    assert not ReviewCadence.objects.exists()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("admin", 200, 200),
        ("manager", 200, 403),
        ("member", 200, 403),
        ("observer", 200, 403),
        ("outsider", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_permission_matrix(api, cell, users, role, read, write):
    client = api(None if role == "anonymous" else users[role])
    assert client.get(url(cell)).status_code == read
    assert client.patch(url(cell), {"repeat_minutes": 5}).status_code == write
