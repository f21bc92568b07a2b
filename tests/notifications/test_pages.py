"""The notifications page and the unread badge of the top bar."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.context_processors import unread_notifications
from notifications.models import Notification
from notifications.services import notify
from reminders.models import Reminder
from tests.facts.helpers import make_fact, make_statement, published
from tests.pages import parse

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


def note(user, cell, incident=None, title="Hello", **fields):
    (notification,) = notify(users=[user], cell=cell, incident=incident, kind="reminder", title=title, **fields)
    return notification


def badge(content: str) -> tuple[str, bool, str]:
    """The badge of the top bar, as live.js reads it: (data-unread-count, shown, the number)."""
    (link,) = parse(content).with_attr("data-notifications-badge")
    (number,) = link.with_attr("data-unread-number")
    return link.attrs["data-unread-count"], "has-unread" in link.attrs["class"].split(), number.text()


def test_list_shows_own_notifications_unread_first(as_user, cell, incident, users):
    read = note(users["member"], cell, incident, title="Old and read")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    note(users["member"], cell, incident, title="Unread one")
    note(users["manager"], cell, incident, title="Someone else's")
    content = as_user("member").get(LIST).content.decode()
    assert content.index("Unread one") < content.index("Old and read")
    assert "Someone else's" not in content
    assert "1 unread" in content


def test_mark_one_read_and_all_read(as_user, cell, incident, users):
    first = note(users["member"], cell, incident, title="First")
    note(users["member"], cell, incident, title="Second")
    client = as_user("member")
    response = client.post(reverse("notifications:read", args=[first.pk]), {"next": LIST + "?page=1"})
    assert response.status_code == 302
    assert response["Location"] == LIST + "?page=1"
    first.refresh_from_db()
    assert first.read_at is not None
    response = client.post(reverse("notifications:read-all"), {"next": LIST})
    assert response.status_code == 302
    assert not Notification.objects.filter(user=users["member"], read_at__isnull=True).exists()
    assert "1 notification marked read." in client.get(LIST).content.decode()


def test_open_marks_read_and_goes_to_what_it_is_about(as_user, cell, incident, users):
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    statement = make_statement(incident, users["member"], facts=[fact])
    published(statement, users["member"], users["manager"])
    from facts import services as facts

    facts.fact_retract(actor=users["member2"], fact=fact, reason="Wrong")
    notification = Notification.objects.get(user=users["member"], kind="needs_review")
    client = as_user("member")
    statement_url = reverse("statements:detail", args=[incident.pk, statement.pk])
    assert statement_url in client.get(LIST).content.decode()
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == statement_url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_reminder_notification_leads_to_its_statement(as_user, cell, incident, users):
    statement = make_statement(
        incident, users["member"], facts=[make_fact(incident, users["member2"], verifier=users["manager"])]
    )
    published(statement, users["member"], users["manager"])
    reminder = Reminder.objects.get(statement=statement)
    note(users["member"], cell, incident, title="Due", data={"reminder": reminder.pk})
    content = as_user("member").get(LIST).content.decode()
    assert reverse("statements:detail", args=[incident.pk, statement.pk]) in content


def test_someone_elses_notification_is_404_and_stays_unread(as_user, cell, incident, users):
    theirs = note(users["manager"], cell, incident)
    assert as_user("member").post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_next_must_stay_on_this_site(as_user, cell, users):
    note(users["member"], cell)
    response = as_user("member").post(reverse("notifications:read-all"), {"next": "https://evil.example/"})
    assert response["Location"] == LIST


def test_open_never_leads_off_site(as_user, cell, users):
    notification = note(users["member"], cell, link="https://evil.example/")
    response = as_user("member").post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response["Location"] == LIST


def test_hostile_notification_text_is_escaped(as_user, cell, users):
    note(users["member"], cell, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    content = as_user("member").get(LIST).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content


def test_badge_on_every_page(as_user, cell, incident, users):
    client = as_user("member")
    for url in ("/", reverse("incidents:detail", args=[incident.pk]), reverse("cells:members", args=[cell.pk])):
        content = client.get(url).content.decode()
        assert badge(content) == ("0", False, "0")  # nothing unread: the badge is there, its number hidden
    note(users["member"], cell, incident)
    note(users["member"], cell, incident)
    for url in ("/", reverse("incidents:detail", args=[incident.pk]), LIST):
        assert badge(client.get(url).content.decode()) == ("2", True, "2")


def test_badge_costs_one_query_and_only_when_shown(users):
    request = RequestFactory().get("/")
    request.user = users["member"]
    with CaptureQueriesContext(connection) as queries:
        context = unread_notifications(request)
    assert len(queries) == 0  # fragments and API responses never pay for it
    with CaptureQueriesContext(connection) as queries:
        assert int(str(context["unread_notifications"])) == 0
        assert not context["unread_notifications"]
    assert len(queries) == 1


@pytest.mark.parametrize("n", [3, 30])
def test_notifications_page_query_count(client, cell, incident, users, django_assert_num_queries, n):
    statement = make_statement(
        incident, users["member"], facts=[make_fact(incident, users["member2"], verifier=users["manager"])]
    )
    published(statement, users["member"], users["manager"])
    reminder = Reminder.objects.get(statement=statement)
    for i in range(n):
        note(users["member"], cell, incident, title=f"N{i}", data={"reminder": reminder.pk})
        note(users["member"], cell, incident, title=f"S{i}", data={"statement": statement.pk})
    client.force_login(users["member"])
    # session, user, count, page (with incidents), reminders behind them, memberships, unread badge.
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert response.status_code == 200


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
