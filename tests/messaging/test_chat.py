"""The incident chat: who may post and promote, mentions, references, safe rendering, bad input."""

import pytest

from chat import services as chat
from chat.models import ChatMessage
from incidents.models import LogEntry
from notifications.models import Notification

from ..facts.helpers import make_fact
from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def chat_url(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/chat/"


def test_an_observer_posts_and_a_mentioned_member_is_notified_once(api, observer, member, incident, outsider):
    response = api(observer).post(chat_url(incident), {"text": "@max @oscar @olga legal says: no comment yet"})
    assert response.status_code == 201, response.json()
    body = response.json()
    # The outsider is not in the cell and the author is not notified of their own mention.
    assert body["mentions"] == [member.pk]
    assert Notification.objects.filter(kind="mention").values_list("user", flat=True).get() == member.pk
    notification = Notification.objects.get(kind="mention")
    assert notification.link.endswith(f"#chat-{body['id']}") and "Olga" in notification.title
    assert '<span class="mention">@Max</span>' in body["html"]


def test_references_link_only_to_objects_of_this_incident(api, member, incident, foreign_incident, outsider, users):
    fact = make_fact(incident, member)
    foreign_fact = make_fact(foreign_incident, outsider)
    body = (
        api(member).post(chat_url(incident), {"text": f"See fact#{fact.pk}, fact#{foreign_fact.pk} and log#1"}).json()
    )
    assert body["refs"] == [{"kind": "log", "id": 1}, {"kind": "fact", "id": fact.pk}]
    assert f">fact#{fact.pk}</a>" in body["html"]
    assert f">fact#{foreign_fact.pk}</a>" not in body["html"]
    assert f'href="/incidents/{incident.pk}/#log-1"' in body["html"]


def test_hostile_text_is_escaped_and_links_are_http_only(api, member, incident):
    text = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** <script>alert(2)</script>"
    body = api(member).post(chat_url(incident), {"text": text}).json()
    assert body["text"] == text  # stored as typed
    assert "<img" not in body["html"] and "<script" not in body["html"]
    assert "href" not in body["html"]  # the javascript: link stays plain text
    assert "&lt;script&gt;" in body["html"] and "<strong>bold</strong>" in body["html"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_too_long_messages_are_400_and_nothing_is_written(api, member, incident, text):
    response = api(member).post(chat_url(incident), {"text": text})
    assert response.status_code == 400 and "text" in response.json()
    assert not ChatMessage.objects.exists()


def test_wrong_types_are_400(api, member, incident):
    assert api(member).post(chat_url(incident), {"text": ["a"]}, format="json").status_code == 400
    assert api(member).post(chat_url(incident), {}, format="json").status_code == 400


def test_chat_access(api, incident, outsider, observer, foreign_incident):
    assert api().get(chat_url(incident)).status_code in (401, 403)
    assert api(outsider).get(chat_url(incident)).status_code == 404
    assert api(outsider).post(chat_url(incident), {"text": "hi"}).status_code == 404
    assert api(observer).get(chat_url(foreign_incident)).status_code == 404
    assert api(observer).get(chat_url(incident)).status_code == 200


def test_a_member_promotes_a_message_to_the_crisis_log_once(api, member, manager, observer, incident):
    message = chat.chat_post(actor=observer, incident=incident, text="Décision : on ne répond pas avant 14 h")
    url = f"{chat_url(incident)}{message.pk}/promote/"
    assert api(observer).post(url, {}).status_code == 403  # observers comment, they do not write the log
    response = api(member).post(url, {"category": "decision"})
    assert response.status_code == 200, response.json()
    entry = LogEntry.objects.get(pk=response.json()["promoted_entry"])
    assert (entry.text, entry.category, entry.actor, entry.data["author"]) == (
        message.text,
        "decision",
        member,
        observer.pk,
    )
    again = api(manager).post(url, {})
    assert again.status_code == 409 and str(entry.seq) in again.json()["detail"]
    assert LogEntry.objects.filter(incident=incident, data__chat_message=message.pk).count() == 1


def test_promote_bad_input(api, member, incident, foreign_incident, outsider):
    message = chat.chat_post(actor=member, incident=incident, text="x")
    foreign = chat.chat_post(actor=outsider, incident=foreign_incident, text="y")
    assert api(member).post(f"{chat_url(incident)}{message.pk}/promote/", {"category": "gossip"}).status_code == 400
    assert api(member).post(f"{chat_url(incident)}{foreign.pk}/promote/", {}).status_code == 404
    assert api(member).post(f"{chat_url(incident)}999999/promote/", {}).status_code == 404
    assert not LogEntry.objects.filter(data__chat_message=message.pk).exists()


def test_chat_list_query_count_is_flat(api, member, incident, users, django_assert_max_num_queries):
    for n in range(25):
        chat.chat_post(actor=member, incident=incident, text=f"@mia message {n} fact#1 log#1")
    client = api(member)
    with django_assert_max_num_queries(8):
        assert len(client.get(chat_url(incident), {"page_size": 25}).json()["results"]) == 25
