"""A notification reads in the reader's language (page, API, live badge), whatever
the language in force when it was written; the stored texts (the e-mail's) are
in the cell's default language, French."""

import pytest
from channels.db import database_sync_to_async
from django.utils import translation

from chat import services as chat
from facts import services as facts
from notifications.models import Notification
from notifications.services import notify
from notifications.wording import texts
from tests.facts.helpers import make_fact, make_statement, published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french_cell(settings):
    settings.LANGUAGE_CODE = "fr"  # the default: what is stored and e-mailed


LIST = "/notifications/"


def test_a_mention_stored_in_french_reads_in_english_on_an_english_page(as_user, incident, users):
    chat.chat_post(actor=users["member"], incident=incident, text="@mona peux-tu valider ?")
    notification = Notification.objects.get(user=users["manager"])
    assert notification.title.startswith(f"{users['member']} vous a mentionné")  # the e-mail's
    english = as_user("manager", "en").get(LIST).content.decode()
    french = as_user("manager", "fr").get(LIST).content.decode()
    assert f"{users['member']} mentioned you in “{incident.title}”" in english
    assert "vous a mentionné" not in english
    assert f"{users['member']} vous a mentionné dans «\u00a0{incident.title}\u00a0»" in french
    assert "@mona peux-tu valider ?" in english  # what people typed stays as typed


def test_the_api_words_them_in_the_requests_language(api, incident, users):
    chat.chat_post(actor=users["member"], incident=incident, text="@mona merci")
    client = api(users["manager"])
    english = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    french = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]
    assert "mentioned you" in english["title"] and "vous a mentionné" in french["title"]
    assert english["body"] == french["body"] == "@mona merci"


def test_labels_and_the_escalation_prefix_follow_the_reader():
    params = {
        "id": 4,
        "fact": "Le lot 12 est contaminé",
        "fact_status": "refuted",
        "reason": "",
        "versions": "v1",
        "title": "Point d'étape",
    }
    with translation.override("en"):
        title, body = texts("needs_review", params)
        assert title == "Needs review: Point d'étape"
        assert body.startswith("Fact #4 “Le lot 12 est contaminé” is now Refuted. Version(s) v1")
        escalated_title, _body = texts(
            "reminder.claim_unanswered",
            {
                "since": "2026-12-01T10:00:00+00:00",
                "incident": "X",
                "text": "y" * 200,
                "escalated": True,
            },
        )
        assert escalated_title == "[Escalated] Claim circulating unanswered: " + "y" * 79 + "…"  # cut, and says so
    with translation.override("fr"):
        title, body = texts("needs_review", params)
        assert title == "À revoir\u00a0: Point d'étape"
        french = "Le fait n°\u00a04 «\u00a0Le lot 12 est contaminé\u00a0» est maintenant au statut Réfuté."
        assert body.startswith(french)


def test_a_notification_without_a_wording_shows_its_stored_texts(as_user, cell, users):
    notify(users=[users["member"]], cell=cell, kind="reminder", title="Texte tel quel", body="Corps")
    content = as_user("member", "en").get(LIST).content.decode()
    assert "Texte tel quel" in content and "Corps" in content


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_live_badge_words_the_newest_in_the_pages_language(incident, users):
    from tests.messaging.conftest import communicator, token_for

    manager, member = users["manager"], users["member"]
    token = await database_sync_to_async(token_for)(manager)
    socket = communicator("/ws/notifications/", token=token)
    socket.scope["headers"].append((b"accept-language", b"en-GB,en;q=0.9"))
    assert (await socket.connect(timeout=5))[0]
    assert (await socket.receive_json_from(timeout=5))["count"] == 0
    await database_sync_to_async(chat.chat_post)(actor=member, incident=incident, text="@mona ?")
    update = await socket.receive_json_from(timeout=5)
    assert update["count"] == 1
    assert update["latest"]["title"] == f"{member} mentioned you in “{incident.title}”"
    await socket.disconnect()


def test_a_reason_ending_with_a_full_stop_does_not_double_the_sentences(incident, users):
    """The fact's reason is quoted in brackets in the middle of the needs-review sentence."""
    member, manager = users["member"], users["manager"]
    fact = make_fact(incident, member, verifier=manager, text="Batch 24-117 is safe")
    published(make_statement(incident, member, facts=[fact]), member, manager)
    facts.fact_retract(actor=manager, fact=fact, reason="New test results: batch 24-117.")
    body = Notification.objects.filter(user=manager, data__fact=fact.pk).get().body
    assert "(New test results: batch 24-117)." in body and ".)." not in body
