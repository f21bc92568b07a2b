"""Relays, lists and briefings: consent respected, each relay e-mailed once, bounces, the tracked link."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.errors import Conflict
from incidents.models import LogEntry
from relays import services, tasks
from relays.models import BriefingDelivery, DeliveryStatus, Relay
from tests.facts.helpers import eager_celery
from tests.pages import HOSTILE

from .conftest import add_relay

pytestmark = pytest.mark.django_db


def test_handles_are_normalised_and_consent_needs_its_date(cell, member):
    relay = add_relay(
        member, cell, handles=[{"network": "X", "handle": " @Jane_Doe "}, {"network": "x", "handle": "jane_doe"}]
    )
    assert [(h.network, h.handle) for h in relay.handles.all()] == [("x", "jane_doe")]
    with pytest.raises(ValidationError) as error:
        services.relay_create(actor=member, cell=cell, name="No date", kind="expert", consent="given")
    assert "consent_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.relay_create(actor=member, cell=cell, name="X", kind="expert", handles=[{"network": "x"}])
    assert "handles" in error.value.message_dict


def test_observer_and_outsider_cannot_touch_the_directory(cell, users):
    with pytest.raises(PermissionDenied):
        add_relay(users["observer"], cell)
    with pytest.raises(Http404):
        add_relay(users["outsider"], cell)
    relay = add_relay(users["member"], cell)
    with pytest.raises(PermissionDenied):
        services.relay_erase(actor=users["member"], relay=relay)


def _brief(users, statement, **kwargs):
    version = statement.versions.get(status="published")
    return services.brief(actor=users["manager"], version=version, **kwargs)


def test_brief_emails_each_consenting_relay_once_with_the_verified_facts(
    cell, users, incident, live_statement, django_capture_on_commit_callbacks
):
    member = users["member"]
    jane = add_relay(member, cell, "Jane", email="jane@example.org", languages=["en"])
    paul = add_relay(member, cell, "Paul", email="paul@example.org")
    no_consent = add_relay(member, cell, "Nope", consent="unknown", email="nope@example.org")
    bounced = add_relay(member, cell, "Bounce", email="bounce@example.org")
    services.relay_mark_bounced(actor=member, relay=bounced)
    no_mail = add_relay(member, cell, "Nomail", email="")
    erased = add_relay(member, cell, "Gone", email="gone@example.org")
    services.relay_erase(actor=users["manager"], relay=erased)
    group = services.list_save(actor=member, cell=cell, name="Partners", relays=[jane.pk, paul.pk, no_consent.pk])

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        briefing = _brief(
            users, live_statement, relays=[jane.pk, bounced.pk, no_mail.pk], lists=[group.pk], note="Thanks!"
        )

    by_relay = {d.relay_id: d for d in briefing.deliveries.all()}
    assert set(by_relay) == {jane.pk, paul.pk, no_consent.pk, bounced.pk, no_mail.pk}  # erased: not even listed
    assert by_relay[jane.pk].status == by_relay[paul.pk].status == DeliveryStatus.SENT
    assert (by_relay[no_consent.pk].status, by_relay[no_consent.pk].skip_reason) == ("skipped", "no_consent")
    assert by_relay[bounced.pk].skip_reason == "bounced"
    assert by_relay[no_mail.pk].skip_reason == "no_email"
    assert sorted(m.to[0] for m in mail.outbox) == ["jane@example.org", "paul@example.org"]
    message = next(m for m in mail.outbox if m.to == ["jane@example.org"])
    assert "Batch 42 was recalled on 3 March." in message.body  # the verified fact
    assert "We are aware and checking." in message.body
    assert by_relay[jane.pk].token in message.body  # the personal link
    entry = LogEntry.objects.filter(incident=incident, kind="relay").get()
    assert entry.data | {} == entry.data and entry.data["sent"] == 2 and entry.data["skipped"] == 3

    # The task delivered again: nobody gets a second e-mail.
    tasks.send_briefing_emails([d.pk for d in by_relay.values()])
    tasks.send_pending_briefings()
    assert len(mail.outbox) == 2


def test_consent_withdrawn_before_sending_is_respected(cell, users, live_statement, django_capture_on_commit_callbacks):
    jane = add_relay(users["member"], cell, "Jane")
    with django_capture_on_commit_callbacks(execute=False):
        briefing = _brief(users, live_statement, relays=[jane.pk])
    services.relay_update(actor=users["member"], relay=jane, consent="refused", consent_at=None)
    assert services.deliver(briefing.deliveries.get().pk) is False
    assert briefing.deliveries.get().skip_reason == "no_consent"
    assert mail.outbox == []


def test_a_refused_address_is_marked_bounced_and_never_emailed_again(
    cell, users, live_statement, monkeypatch, django_capture_on_commit_callbacks
):
    jane = add_relay(users["member"], cell, "Jane")

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"jane@example.org": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        briefing = _brief(users, live_statement, relays=[jane.pk])
    assert briefing.deliveries.get().status == DeliveryStatus.BOUNCED
    jane.refresh_from_db()
    assert jane.email_bounced_at is not None and not jane.contactable
    monkeypatch.undo()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        again = _brief(users, live_statement, relays=[jane.pk])
    assert again.deliveries.get().skip_reason == "bounced"
    assert mail.outbox == []


def test_only_a_published_statement_not_needing_review_is_sent(cell, users, incident, live_statement):
    jane = add_relay(users["member"], cell, "Jane")
    version = live_statement.versions.get(status="published")
    with pytest.raises(PermissionDenied):
        services.brief(actor=users["member"], version=version, relays=[jane.pk])
    type(live_statement).objects.filter(pk=live_statement.pk).update(needs_review=True)
    version.refresh_from_db()
    with pytest.raises(Conflict):
        services.brief(actor=users["manager"], version=version, relays=[jane.pk])
    with pytest.raises(ValidationError):
        type(live_statement).objects.filter(pk=live_statement.pk).update(needs_review=False)
        version.statement.needs_review = False
        services.brief(actor=users["manager"], version=version, relays=[])


def test_hostile_names_and_texts_are_escaped_in_the_email(cell, users, incident, django_capture_on_commit_callbacks):
    from tests.facts.helpers import make_statement, published

    hostile_statement = make_statement(incident, users["member"], text=f"Text {HOSTILE}")
    published(hostile_statement, users["member"], users["manager"])
    relay = add_relay(users["member"], cell, name=f"Eve {HOSTILE}")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        _brief(users, hostile_statement, relays=[relay.pk], note=HOSTILE)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_tracked_link_counts_opens_and_records_the_answer(
    client, cell, users, incident, live_statement, django_capture_on_commit_callbacks
):
    jane = add_relay(users["member"], cell, "Jane")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        briefing = _brief(users, live_statement, relays=[jane.pk])
    delivery = briefing.deliveries.get()
    url = f"/r/{delivery.token}/"
    # Opened a while after it left, in a browser (what is not an open: test_bounces_and_opens).
    BriefingDelivery.objects.filter(pk=delivery.pk).update(sent_at=delivery.sent_at - datetime.timedelta(minutes=5))
    browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"
    assert client.get(url, HTTP_USER_AGENT=browser).status_code == 200
    delivery.refresh_from_db()
    assert delivery.opened_at is not None and delivery.open_count == 1
    response = client.post(url, {"answer": "shared", "url": "javascript:alert(1)"})
    assert response.status_code == 400  # only http(s) links
    response = client.post(url, {"answer": "shared", "url": "https://x.example/post/1"})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.answer, delivery.relayed_url, delivery.relayed_source) == (
        "shared",
        "https://x.example/post/1",
        "relay",
    )
    assert client.get("/r/not-a-token/").status_code == 404
    # Erased: the link dies with the person's data.
    services.relay_erase(actor=users["manager"], relay=jane)
    assert client.get(url).status_code == 404


def test_mark_relayed_once_and_logged(cell, users, incident, live_statement, django_capture_on_commit_callbacks):
    jane = add_relay(users["member"], cell, "Jane")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        delivery = _brief(users, live_statement, relays=[jane.pk]).deliveries.get()
    services.mark_relayed(actor=users["member"], delivery=delivery, url="https://x.example/1")
    with pytest.raises(Conflict):
        services.mark_relayed(actor=users["member2"], delivery=delivery)
    assert [e.data["action"] for e in LogEntry.objects.filter(incident=incident, kind="relay").order_by("seq")] == [
        "briefed",
        "relayed",
    ]


def test_export_and_erasure(cell, users, live_statement, django_capture_on_commit_callbacks):
    jane = add_relay(users["member"], cell, "Jane", handles=[{"network": "x", "handle": "jane"}])
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        _brief(users, live_statement, relays=[jane.pk])
    exported = services.relay_export(actor=users["manager"], relay=jane)
    assert exported["relay"]["name"] == "Jane" and exported["relay"]["handles"] == [{"network": "x", "handle": "jane"}]
    assert len(exported["briefings"]) == 1 and exported["briefings"][0]["status"] == "sent"
    services.relay_erase(actor=users["manager"], relay=jane)
    jane = Relay.objects.get(pk=jane.pk)
    assert (jane.name, jane.email, jane.consent_at, jane.handles.count()) == ("", "", None, 0)
    assert BriefingDelivery.objects.filter(relay=jane).count() == 1  # the statement's counts stay true
    with pytest.raises(Conflict):
        services.relay_update(actor=users["member"], relay=jane, name="Back")


def test_a_relays_own_mention_after_the_briefing_marks_it_relayed(
    cell, users, incident, live_statement, django_capture_on_commit_callbacks
):
    from tests.response_queue.conftest import make_mention

    jane = add_relay(users["member"], cell, "Jane", handles=[{"network": "x", "handle": "@Jane_Doe"}])
    paul = add_relay(users["member"], cell, "Paul", handles=[{"network": "x", "handle": "paul"}])
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        briefing = _brief(users, live_statement, relays=[jane.pk, paul.pk])
    make_mention(cell, "Relaying the official word", handle="@jane_doe")
    make_mention(cell, "Old post", handle="paul", at=briefing.created_at - datetime.timedelta(hours=1))
    assert tasks.match_relayed_mentions() == 1
    assert tasks.match_relayed_mentions() == 0
    jane_delivery = briefing.deliveries.get(relay=jane)
    assert (jane_delivery.relayed_source, jane_delivery.relayed_by) == ("mention", None)
    assert briefing.deliveries.get(relay=paul).relayed_at is None
