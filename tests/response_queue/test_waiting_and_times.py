"""Time to first response counts from the mention's publication; rule matches while the cell has
no open incident wait on the cell's list, then enter the queue of the incident that opens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.errors import Conflict
from incidents import services as incidents
from incidents.models import Incident, LogEntry
from response_queue import selectors, services, tasks
from response_queue.models import QueueItem, QueueRule, WaitingMention, WaitingState
from tests.pages import HOSTILE

from .conftest import make_mention

pytestmark = pytest.mark.django_db

ago = lambda **kw: timezone.now() - datetime.timedelta(**kw)  # noqa: E731


def test_time_to_first_response_counts_from_publication_not_from_queue_entry(cell, users, incident):
    # Published 50, 40, 30 minutes ago, all seen by the cell only now: the public waited since publication.
    items = [
        services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell, at=ago(minutes=m)).pk)
        for m in (50, 40, 30)
    ]
    for item in items:
        services.answer(actor=users["manager"], item=item, text="ok")
    figures = selectors.metrics(incident)
    assert 39.5 <= figures["first_response_median"] <= 40.5
    assert 47.5 <= figures["first_response_p90"] <= 48.5
    assert sum(row["answered"] for row in selectors.hourly(incident)) == 3
    assert LogEntry.objects.filter(incident=incident, data__action="answered").first().data["minutes"] >= 29.5


def test_due_time_and_share_within_sla_count_from_publication(cell, users, incident):
    incidents.incident_transition(actor=users["manager"], incident=incident, to_level="crisis", reason="Storm")
    incident.refresh_from_db()
    late = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell, at=ago(minutes=40)).pk)
    fresh = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell, at=ago(minutes=5)).pk)
    # Crisis: 30 minutes from publication. Seen 40 minutes late, it is overdue from the start.
    assert late.due_at < timezone.now() < fresh.due_at
    assert abs((fresh.due_at - (fresh.mention.published_at + datetime.timedelta(minutes=30))).total_seconds()) < 1
    services.answer(actor=users["manager"], item=late, text="ok")
    services.answer(actor=users["manager"], item=fresh, text="ok")
    assert selectors.metrics(incident)["within_sla"] == 50.0
    # A publication time ahead of our clock counts as now (never a negative wait).
    future = make_mention(cell, at=timezone.now() + datetime.timedelta(hours=1))
    item = services.flag(actor=users["member"], incident=incident, mention_id=future.pk)
    assert item.due_at <= timezone.now() + datetime.timedelta(minutes=30, seconds=5)


def test_queue_page_shows_times_from_publication_live(client, cell, users, incident):
    item = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell, at=ago(minutes=90)).pk)
    services.answer(actor=users["manager"], item=item, text="ok")
    client.force_login(users["observer"])
    page = client.get(f"/incidents/{incident.pk}/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "90.0 min" in page and "from the mention" in page
    assert 'data-live-panel="queue"' in page


def _close(incident, manager):
    Incident.objects.filter(pk=incident.pk).update(level="closed")


def test_matches_wait_for_an_incident_then_enter_its_queue(cell, users, incident):
    _close(incident, users["manager"])
    QueueRule.objects.create(cell=cell, name="complaints", kind="terms", terms="remboursez")
    recent = make_mention(cell, "Remboursez-moi", at=ago(hours=3))
    old = make_mention(cell, "Remboursez-moi aussi", at=ago(days=5))
    make_mention(cell, "Nothing to see")
    assert tasks.scan_mentions() == 0
    assert tasks.scan_mentions() == 0  # nothing twice
    waiting = WaitingMention.objects.filter(cell=cell)
    assert set(waiting.values_list("mention_id", flat=True)) == {recent.pk, old.pk}
    assert not QueueItem.objects.exists()
    # An incident opens: within one beat, the recent match is in its queue, due from its publication.
    opened = incidents.incident_create(actor=users["manager"], cell=cell, title="Delivery storm")
    assert tasks.scan_mentions() == 1
    assert tasks.scan_mentions() == 0
    item = QueueItem.objects.get(incident=opened)
    assert item.mention_id == recent.pk and item.rule.name == "complaints"
    assert WaitingMention.objects.get(mention=recent).state == WaitingState.QUEUED
    assert WaitingMention.objects.get(mention=recent).item_id == item.pk
    # Too old to enter by itself: it stays on the cell's list for a person to judge.
    assert WaitingMention.objects.get(mention=old).state == WaitingState.WAITING
    entry = LogEntry.objects.get(incident=opened, kind="response", data__action="queued_from_waiting")
    assert entry.data["count"] == 1
    # A later match goes straight to the open incident's queue.
    direct = make_mention(cell, "remboursez")
    assert tasks.scan_mentions() == 1
    assert QueueItem.objects.filter(incident=opened, mention=direct).exists()
    assert not WaitingMention.objects.filter(mention=direct).exists()


def test_members_put_a_waiting_mention_in_by_hand_or_dismiss_it(client, cell, users, incident):
    _close(incident, users["manager"])
    QueueRule.objects.create(cell=cell, name="complaints", kind="terms", terms="remboursez")
    hostile = make_mention(cell, f"remboursez {HOSTILE}", handle=HOSTILE, at=ago(days=4))
    spam = make_mention(cell, "remboursez spam", at=ago(days=4))
    tasks.scan_mentions()
    opened = incidents.incident_create(actor=users["manager"], cell=cell, title="Open")
    assert tasks.scan_mentions() == 0  # four days old: waits for a person
    url = f"/cells/{cell.pk}/queue-waiting/"
    first, second = (WaitingMention.objects.get(mention=m) for m in (hostile, spam))

    client.force_login(users["observer"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert HOSTILE not in body and "too old to enter by itself" in body
    assert client.post(url, {"waiting": first.pk, "action": "queue", "incident": opened.pk}).status_code == 403

    client.force_login(users["member"])
    # Dismissing needs a reason, said so (400), never a 500.
    refused = client.post(url, {"waiting": second.pk, "action": "dismiss", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Say why it needs no answer" in refused.content.decode()
    assert client.post(url, {"waiting": second.pk, "action": "dismiss", "reason": "Spam"}).status_code == 302
    assert WaitingMention.objects.get(pk=second.pk).state == WaitingState.DISMISSED
    # Queue one: it becomes an item of the chosen incident.
    response = client.post(url, {"waiting": first.pk, "action": "queue", "incident": opened.pk})
    assert response.status_code == 302
    item = QueueItem.objects.get(incident=opened, mention=hostile)
    assert response["Location"].endswith(f"/queue/{item.pk}/")
    assert WaitingMention.objects.get(pk=first.pk).state == WaitingState.QUEUED
    # Settled meanwhile: a 409 that says so.
    conflict = client.post(url, {"waiting": first.pk, "action": "dismiss", "reason": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert conflict.status_code == 409 and "Someone acted on this mention first" in conflict.content.decode()
    # Another cell's row, or garbage: 404 / 400.
    assert client.post(url, {"waiting": 999999, "action": "dismiss", "reason": "x"}).status_code == 404
    assert client.post(url, {"waiting": "x", "action": "fly"}).status_code == 400
    # A closed or foreign incident is refused with a reason.
    _close(opened, users["manager"])
    with translation.override("en"), pytest.raises(ValidationError, match="Choose an open incident"):
        services.waiting_to_incident(actor=users["member"], waiting=second, incident=Incident.objects.get(pk=opened.pk))
    with pytest.raises(Conflict):
        services.waiting_to_incident(actor=users["member"], waiting=first, incident=incident_reopened(cell, users))


def incident_reopened(cell, users):
    return incidents.incident_create(actor=users["manager"], cell=cell, title="Another")


def test_flagging_a_waiting_mention_by_hand_settles_it(cell, users, incident):
    _close(incident, users["manager"])
    QueueRule.objects.create(cell=cell, name="complaints", kind="terms", terms="remboursez")
    mention = make_mention(cell, "remboursez", at=ago(days=3))
    tasks.scan_mentions()
    opened = incidents.incident_create(actor=users["manager"], cell=cell, title="Open")
    item = services.flag(actor=users["member"], incident=opened, mention_id=mention.pk)
    row = WaitingMention.objects.get(mention=mention)
    assert (row.state, row.item_id, row.decided_by_id) == (WaitingState.QUEUED, item.pk, users["member"].pk)


def test_waiting_page_queries_do_not_grow(client, cell, users, incident, django_assert_max_num_queries):
    _close(incident, users["manager"])
    rule = QueueRule.objects.create(cell=cell, name="complaints", kind="terms", terms="remboursez")
    client.force_login(users["member"])
    url = f"/cells/{cell.pk}/queue-waiting/"
    WaitingMention.objects.create(cell=cell, mention=make_mention(cell, "remboursez"), rule=rule)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(30):
        WaitingMention.objects.create(cell=cell, mention=make_mention(cell, f"remboursez {i}"), rule=rule)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_monitoring_mention_lists_show_who_answered(client, cell, users, incident):
    from django.contrib.auth import get_user_model

    answered = make_mention(cell, "Remboursez-moi", handle="angry")
    make_mention(cell, "Just a post", handle="calm")
    item = services.flag(actor=users["member"], incident=incident, mention_id=answered.pk)
    manager = users["manager"]
    get_user_model().objects.filter(pk=manager.pk).update(first_name=HOSTILE, last_name="")
    manager.refresh_from_db()
    services.answer(actor=manager, item=item, text="Sorry", url="https://social.example/reply/1")
    client.force_login(users["observer"])
    body = client.get(f"/cells/{cell.pk}/monitoring/mentions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert body.count("data-answered") == 1
    assert "Answered by" in body and "https://social.example/reply/1" in body
    assert HOSTILE not in body  # the name is escaped
    body = client.get(f"/cells/{cell.pk}/monitoring/mentions/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Répondu par" in body


def test_waiting_api_lists_queues_dismisses_and_refuses_bad_input(api, cell, users, incident):
    _close(incident, users["manager"])
    rule = QueueRule.objects.create(cell=cell, name="complaints", kind="terms", terms="remboursez")
    first = WaitingMention.objects.create(cell=cell, mention=make_mention(cell, f"remboursez {HOSTILE}"), rule=rule)
    second = WaitingMention.objects.create(cell=cell, mention=make_mention(cell, "remboursez 2"), rule=rule)
    member = api(users["member"])
    base = f"/api/v1/cells/{cell.pk}/queue-waiting/"
    listed = member.get(base).json()
    assert {row["id"] for row in listed["results"]} == {first.pk, second.pk}
    assert listed["results"][0]["rule_name"] == "complaints"
    assert member.get(base + "?state=fly").status_code == 400
    assert member.get(base + "?state=waiting&state=queued").status_code == 400
    # No open incident: a 400 that says what to do.
    refused = member.post(f"{base}{first.pk}/queue/", {"incident": incident.pk}, format="json")
    assert refused.status_code == 400 and "open incident" in str(refused.json())
    opened = incidents.incident_create(actor=users["manager"], cell=cell, title="Open")
    queued = member.post(f"{base}{first.pk}/queue/", {"incident": opened.pk}, format="json")
    assert queued.status_code == 201 and queued.json()["mention"]["id"] == first.mention_id
    assert member.post(f"{base}{first.pk}/dismiss/", {"reason": "late"}, format="json").status_code == 409
    assert member.post(f"{base}{second.pk}/dismiss/", {}, format="json").status_code == 400
    dismissed = member.post(f"{base}{second.pk}/dismiss/", {"reason": "bot"}, format="json").json()
    assert dismissed["state"] == "dismissed" and dismissed["reason"] == "bot"
    assert member.get(base).json()["results"] == []
    assert {row["id"] for row in member.get(base + "?state=queued").json()["results"]} == {first.pk}


def test_the_workspace_queue_panel_shows_backlog_times_and_the_most_urgent(client, cell, users, incident):
    from django.template.loader import render_to_string

    from response_queue import panels

    answered = services.flag(
        actor=users["member"], incident=incident, mention_id=make_mention(cell, at=ago(minutes=12)).pk
    )
    services.answer(actor=users["manager"], item=answered, text="ok")
    services.flag(
        actor=users["member"],
        incident=incident,
        mention_id=make_mention(cell, f"remboursez {HOSTILE}", handle=HOSTILE, at=ago(minutes=3)).pk,
    )
    client.force_login(users["observer"])
    body = client.get(f"/incidents/{incident.pk}/queue/panel/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12.0 min" in body and "Open the response queue" in body
    assert HOSTILE not in body and body.count("queue-urgent") == 1
    assert f"/incidents/{incident.pk}/queue/" in body
    # The card as the workspace includes it: refreshed by live:queue (every queue action is a "response"
    # crisis-log entry, whose kind names the "queue" panels).
    card = render_to_string("responses/_workspace_panel_section.html", {"queue_panel": panels.incident_queue(incident)})
    assert 'hx-trigger="live:queue from:body"' in card
    assert f'hx-get="/incidents/{incident.pk}/queue/panel/"' in card
    from incidents import log_kinds

    assert "queue" in log_kinds.get("response").panels
    body = client.get(f"/incidents/{incident.pk}/queue/panel/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ouvrir la file de réponses" in body
