"""Pages of the live workspace: the panel fragments a page refreshes, the chat forms, permissions."""

import json

import pytest
from django.urls import reverse

from chat import services as chat
from chat.models import ChatMessage
from incidents import services
from incidents.panel_views import PANELS

from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(incident, name) -> str:
    return reverse("incidents:panel", args=[incident.pk, name])


def chat_post_url(incident) -> str:
    return reverse("messaging:chat-post", args=[incident.pk])


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", [*PANELS, "chat"])
def test_every_fragment_is_its_live_wrapper_for_members_only(client, incident, observer, outsider, name):
    url = reverse("messaging:chat-panel", args=[incident.pk]) if name == "chat" else panel_url(incident, name)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert logged_in(client, outsider).get(url).status_code == 404
    response = logged_in(client, observer).get(url)
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.count("data-live-panel=") >= 1 and f'hx-get="{url}' in html


def test_an_unknown_panel_or_incident_is_404(client, incident, observer):
    logged_in(client, observer)
    assert client.get(f"/incidents/{incident.pk}/panels/nothing/").status_code == 404
    assert client.get(panel_url(incident, "log").replace(str(incident.pk), "999999")).status_code == 404


def test_the_log_fragment_costs_the_same_with_many_entries(client, incident, member, django_assert_max_num_queries):
    for n in range(30):
        services.log_entry_add(actor=member, incident=incident, text=f"Entry {n}")
    logged_in(client, member)
    with django_assert_max_num_queries(12):
        response = client.get(panel_url(incident, "log"))
    assert response.content.decode().count('class="log-entry') == 31


def test_transitions_fragment_offers_the_moves_of_the_role(client, incident, member, manager):
    url = panel_url(incident, "transitions")
    assert 'data-to="crisis"' not in logged_in(client, member).get(url).content.decode()
    assert 'data-to="crisis"' in logged_in(client, manager).get(url).content.decode()


def test_an_observer_chats_through_htmx_and_the_page_is_told_to_refresh(client, incident, observer):
    response = logged_in(client, observer).post(chat_post_url(incident), {"chat-text": "Legal: no comment"}, **HTMX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"crisiscell:refresh": {"panels": ["chat"]}}
    assert ChatMessage.objects.get().author == observer
    assert 'name="chat-text"' in response.content.decode()  # a fresh, empty form


def test_a_bad_chat_message_keeps_the_text_and_writes_nothing(client, incident, member):
    logged_in(client, member)
    too_long = "x" * 4001
    response = client.post(chat_post_url(incident), {"chat-text": too_long}, **HTMX)
    assert response.status_code == 422 and too_long in response.content.decode()
    response = client.post(chat_post_url(incident), {"chat-text": "  "})
    assert response.status_code == 400
    assert not ChatMessage.objects.exists()


def test_chat_post_access(client, incident, outsider, observer):
    assert client.post(chat_post_url(incident), {"chat-text": "x"}).status_code == 302
    assert logged_in(client, outsider).post(chat_post_url(incident), {"chat-text": "x"}).status_code == 404
    assert logged_in(client, observer).get(chat_post_url(incident)).status_code == 405
    assert not ChatMessage.objects.exists()


def test_hostile_chat_text_is_escaped_in_the_fragment(client, incident, member, observer):
    chat.chat_post(actor=member, incident=incident, text='<script>alert("x")</script> <b onclick=1>hi</b>')
    html = logged_in(client, observer).get(reverse("messaging:chat-panel", args=[incident.pk])).content.decode()
    assert "<script>alert" not in html and "<b onclick" not in html and "&lt;script&gt;" in html


def test_promote_from_the_page(client, incident, member, observer):
    message = chat.chat_post(actor=observer, incident=incident, text="Decision: no reply before 2 pm")
    url = reverse("messaging:chat-promote", args=[incident.pk, message.pk])
    assert logged_in(client, observer).post(url, {"category": "decision"}).status_code == 403
    response = logged_in(client, member).post(url, {"category": "decision"}, **HTMX)
    assert response.status_code == 204
    assert set(json.loads(response["HX-Trigger"])["crisiscell:refresh"]["panels"]) == {"chat", "log"}
    message.refresh_from_db()
    assert message.promoted_entry.text == message.text
    assert client.post(url, {"category": "decision"}, **HTMX).status_code == 409
    assert client.post(url, {"category": "gossip"}, **HTMX).status_code == 400
    other = reverse("messaging:chat-promote", args=[incident.pk, 999999])
    assert client.post(other, {"category": "decision"}).status_code == 404


def test_purge_job_drops_stale_presence_and_lapsed_locks(incident, member):
    import datetime

    from django.utils import timezone

    from incidents.models import EditLock
    from messaging import presence
    from messaging.models import Presence
    from messaging.tasks import purge_stale_presence_and_locks

    presence.join(incident_id=incident.pk, user_id=member.pk, channel_name="gone")
    presence.join(incident_id=incident.pk, user_id=member.pk, channel_name="here")
    Presence.objects.filter(channel_name="gone").update(last_seen_at=timezone.now() - datetime.timedelta(hours=1))
    EditLock.objects.create(
        incident=incident, target="fact:1", holder=member, expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert purge_stale_presence_and_locks() == {"presence": 1, "locks": 1}
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["here"]
    assert purge_stale_presence_and_locks() == {"presence": 0, "locks": 0}


def test_presence_costs_the_same_with_many_viewers(incident, cell, django_assert_max_num_queries):
    from messaging import presence
    from messaging.presence import MAX_LISTED

    from ..factories import MembershipFactory, UserFactory

    for n in range(MAX_LISTED + 10):
        user = MembershipFactory(cell=cell, user=UserFactory(username=f"viewer{n}")).user
        presence.join(incident_id=incident.pk, user_id=user.pk, channel_name=f"socket-{n}")
        presence.join(incident_id=incident.pk, user_id=user.pk, channel_name=f"tab-{n}")  # a second tab
    presence.touch(channel_name="tab-0", state="idle")
    with django_assert_max_num_queries(3):
        listed = presence.viewers(incident.pk)
    assert listed["total"] == MAX_LISTED + 10 and len(listed["users"]) == MAX_LISTED
    assert listed["users"][0]["state"] == "active"  # one idle tab, one active: active
