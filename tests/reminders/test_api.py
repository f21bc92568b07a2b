import pytest

from facts import claims
from reminders.models import Reminder, ReminderKind

pytestmark = pytest.mark.django_db


def reminders_url(incident, *rest):
    return "/".join([f"/api/v1/incidents/{incident.pk}/reminders", *map(str, rest), ""])


@pytest.fixture
def claim_reminder(incident, member):
    claim = claims.claim_create(actor=member, incident=incident, text="A rumour")
    return Reminder.objects.get(kind=ReminderKind.CLAIM_UNANSWERED, claim=claim)


def test_list_and_snooze(api, incident, member, claim_reminder):
    listed = api(member).get(reminders_url(incident)).json()["results"]
    assert [(r["id"], r["kind"], r["status"]) for r in listed] == [(claim_reminder.pk, "claim_unanswered", "active")]
    response = api(member).post(reminders_url(incident, claim_reminder.pk, "snooze"), {"minutes": 30, "reason": "Lab"})
    assert response.status_code == 200, response.data
    assert response.json()["snooze_reason"] == "Lab" and response.json()["misses"] == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"minutes": 30}, {"minutes": 0, "reason": "x"}, {"minutes": 100000, "reason": "x"}, {"minutes": "soon"}],
)
def test_bad_snoozes_are_400(api, incident, member, claim_reminder, body):
    before = claim_reminder.next_due_at
    assert api(member).post(reminders_url(incident, claim_reminder.pk, "snooze"), body).status_code == 400
    claim_reminder.refresh_from_db()
    assert claim_reminder.next_due_at == before


def test_a_handled_reminder_is_a_409(api, incident, member, claim_reminder):
    Reminder.objects.filter(pk=claim_reminder.pk).update(status="done")
    response = api(member).post(reminders_url(incident, claim_reminder.pk, "snooze"), {"minutes": 5, "reason": "x"})
    assert response.status_code == 409


def test_foreign_reminders_are_404(api, incident, foreign_incident, outsider, member):
    claim = claims.claim_create(actor=outsider, incident=foreign_incident, text="Theirs")
    theirs = Reminder.objects.get(claim=claim)
    assert api(member).get(reminders_url(incident, theirs.pk)).status_code == 404
    assert (
        api(member).post(reminders_url(incident, theirs.pk, "snooze"), {"minutes": 5, "reason": "x"}).status_code == 404
    )


def test_list_query_count_does_not_grow(api, incident, member, django_assert_num_queries):
    client = api(member)
    claims.claim_create(actor=member, incident=incident, text="One")
    # Issue 12: the membership joined to the incident, no COUNT while the page is not full (was 4).
    with django_assert_num_queries(2):
        assert len(client.get(reminders_url(incident)).json()["results"]) == 1
    for n in range(5):
        claims.claim_create(actor=member, incident=incident, text=f"More {n}")
    with django_assert_num_queries(2):
        assert len(client.get(reminders_url(incident)).json()["results"]) == 6
