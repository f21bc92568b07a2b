"""Late bounces (a delivery status notification after the e-mail left) and the tracked link's
opens: scanners, prefetches, early and repeated visits are not counted; an address is rate-limited."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from incidents.models import LogEntry
from relays import bounces, services
from relays.models import BriefingDelivery, DeliveryStatus, Relay
from tests.facts.helpers import eager_celery
from tests.pages import HOSTILE

from .conftest import add_relay

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _sent(users, cell, statement, django_capture_on_commit_callbacks, name="Jane", email="jane@example.org"):
    relay = add_relay(users["member"], cell, name, email=email)
    version = statement.versions.get(status="published")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        briefing = services.brief(actor=users["manager"], version=version, relays=[relay.pk])
    delivery = briefing.deliveries.get()
    assert delivery.status == DeliveryStatus.SENT
    return relay, delivery, mail.outbox[-1].message().as_bytes()


def postfix_dsn(original: bytes, *, recipient="jane@example.org", action="failed", status="5.1.1", said="") -> bytes:
    """A DSN as Postfix writes it (RFC 3464): notification, delivery report, the undelivered message."""
    said = (
        said or f"smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:\n    User unknown in virtual mailbox table"
    )
    boundary = b"3F2A1C0042.1764700200/mx.example.org"
    return (
        b"Return-Path: <>\n"
        b"Received: by mx.example.org (Postfix) id 3F2A1C0042; Wed,  2 Dec 2026 18:30:00 +0000 (UTC)\n"
        b"Date: Wed,  2 Dec 2026 18:30:00 +0000 (UTC)\n"
        b"From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
        b"Subject: Undelivered Mail Returned to Sender\n"
        b"To: crisiscell@localhost\n"
        b"Auto-Submitted: auto-replied\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="' + boundary + b'"\n'
        b"Message-Id: <20261202183000.3F2A1C0042@mx.example.org>\n\n"
        b"This is a MIME-encapsulated message.\n\n"
        b"--3F2A1C0042.1764700200/mx.example.org\n"
        b"Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        b"This is the mail system at host mx.example.org.\n\n"
        b"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
        b"--3F2A1C0042.1764700200/mx.example.org\n"
        b"Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; mx.example.org\nX-Postfix-Queue-ID: 3F2A1C0042\n"
        b"X-Postfix-Sender: rfc822; crisiscell@localhost\n"
        b"Arrival-Date: Wed,  2 Dec 2026 18:29:58 +0000 (UTC)\n\n"
        + f"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient}\n".encode()
        + f"Action: {action}\nStatus: {status}\nRemote-MTA: dns; mail.example.org\n".encode()
        + f"Diagnostic-Code: {said}\n\n".encode()
        + b"--3F2A1C0042.1764700200/mx.example.org\n"
        b"Content-Description: Undelivered Message\nContent-Type: message/rfc822\n\n"
        + original
        + b"\n--3F2A1C0042.1764700200/mx.example.org--\n"
    )


def test_the_briefing_email_carries_a_signed_message_id_naming_its_delivery(
    cell, users, live_statement, django_capture_on_commit_callbacks
):
    _relay, delivery, _raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    message_id = mail.outbox[-1].message()["Message-ID"]
    assert message_id == bounces.briefing_message_id(delivery.pk)
    assert bounces.delivery_of_message_id(message_id) == delivery.pk
    forged = message_id.replace(f"briefing.{delivery.pk}.", f"briefing.{delivery.pk + 1}.")
    assert bounces.delivery_of_message_id(forged) is None


def test_a_late_bounce_marks_the_delivery_and_the_address_once(
    client, cell, users, incident, live_statement, django_capture_on_commit_callbacks
):
    relay, delivery, raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    dsn = postfix_dsn(raw, said=f"smtp; 550 5.1.1 {HOSTILE}")
    result = services.process_dsn(dsn)
    assert result["bounced"] == [delivery.pk]
    delivery.refresh_from_db()
    relay.refresh_from_db()
    assert (delivery.status, delivery.bounce_status) == (DeliveryStatus.BOUNCED, "5.1.1")
    assert delivery.bounced_at is not None and HOSTILE in delivery.bounce_detail
    assert relay.email_bounced_at is not None and not relay.contactable
    entry = LogEntry.objects.get(incident=incident, kind="relay", data__action="bounced")
    assert entry.data["status"] == "5.1.1" and entry.data["delivery"] == delivery.pk
    # The same DSN again (the mail server retried the pipe): nothing changes, nothing logged twice.
    assert services.process_dsn(dsn)["bounced"] == []
    assert LogEntry.objects.filter(incident=incident, kind="relay", data__action="bounced").count() == 1
    # Shown on the statement's relays panel and its briefings page, the server's words escaped.
    client.force_login(users["member"])
    for url in (
        f"/incidents/{incident.pk}/statements/{live_statement.pk}/relays/panel/",
        f"/incidents/{incident.pk}/statements/{live_statement.pk}/relays/",
    ):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Bounced" in body and "5.1.1" in body and HOSTILE not in body
        assert "1 bounced" in body
    body = client.get(
        f"/incidents/{incident.pk}/statements/{live_statement.pk}/relays/panel/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "1 rejetés" in body and "Rejeté" in body
    # A later briefing skips the address.
    version = live_statement.versions.get(status="published")
    again = services.brief(actor=users["manager"], version=version, relays=[relay.pk])
    assert again.deliveries.get().skip_reason == "bounced"


def test_headers_only_dsn_a_temporary_failure_and_a_changed_address(
    cell, users, live_statement, django_capture_on_commit_callbacks
):
    relay, delivery, raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    # "delayed": the server still tries; nothing bounced.
    assert services.process_dsn(postfix_dsn(raw, action="delayed", status="4.4.1"))["bounced"] == []
    assert BriefingDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT
    # Given up after days of 4.x.x (failed, but the address is not refused): the e-mail bounced,
    # the relay stays contactable. The original quoted as headers only (text/rfc822-headers).
    headers = raw.split(b"\n\n", 1)[0] + b"\n"
    dsn = postfix_dsn(headers, action="failed", status="4.4.7", said="smtp; 421 4.4.7 timeout").replace(
        b"Content-Type: message/rfc822", b"Content-Type: text/rfc822-headers"
    )
    assert services.process_dsn(dsn)["bounced"] == [delivery.pk]
    relay.refresh_from_db()
    assert relay.email_bounced_at is None and relay.contactable
    # A 5.x.x for an address the relay no longer has: their new address is not given up.
    other, second, raw2 = _sent(users, cell, live_statement, django_capture_on_commit_callbacks, "Paul", "paul@x.org")
    Relay.objects.filter(pk=other.pk).update(email="paul@new.example.org")
    assert services.process_dsn(postfix_dsn(raw2, recipient="paul@x.org"))["bounced"] == [second.pk]
    assert Relay.objects.get(pk=other.pk).email_bounced_at is None


def test_what_is_not_a_dsn_of_ours_changes_nothing(cell, users, live_statement, django_capture_on_commit_callbacks):
    _relay, delivery, raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    assert services.process_dsn(raw)["dsn"] is False  # a plain message
    assert services.process_dsn(b"\x00\xff garbage")["dsn"] is False
    forged = raw.replace(b"Message-ID: <briefing.", b"Message-ID: <briefing.9")
    assert services.process_dsn(postfix_dsn(forged))["bounced"] == []
    assert services.process_dsn(postfix_dsn(b"Subject: not ours\n\nhello\n"))["ignored"]
    assert BriefingDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT


def test_the_command_reads_files_and_stdin(
    tmp_path, monkeypatch, cell, users, live_statement, django_capture_on_commit_callbacks
):
    _relay, delivery, raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    path = tmp_path / "bounce.eml"
    path.write_bytes(postfix_dsn(raw))
    out = io.StringIO()
    call_command("process_bounces", str(path), stdout=out)
    assert f"delivery {delivery.pk} bounced" in out.getvalue() and "1 bounced" in out.getvalue()

    class Stdin:
        buffer = io.BytesIO(postfix_dsn(raw))

    monkeypatch.setattr("sys.stdin", Stdin)
    out = io.StringIO()
    call_command("process_bounces", stdout=out)
    assert out.getvalue().strip().endswith("0 bounced")  # already done: idempotent
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot be read"):
        call_command("process_bounces", str(tmp_path / "missing.eml"), stdout=io.StringIO())


def _opened(delivery):
    delivery.refresh_from_db()
    return delivery.open_count


def test_scanners_prefetches_early_and_repeated_visits_are_not_opens(
    client, cell, users, live_statement, django_capture_on_commit_callbacks
):
    _relay, delivery, _raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    url = f"/r/{delivery.token}/"
    # Within seconds of delivery, even with a browser's agent: the recipient's gateway scanning it.
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 200
    assert _opened(delivery) == 0
    BriefingDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now() - datetime.timedelta(minutes=5))
    assert client.head(url, HTTP_USER_AGENT=BROWSER).status_code == 200
    assert client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch;prerender").status_code == 200
    assert client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_PURPOSE="prefetch").status_code == 200
    assert client.get(url, HTTP_USER_AGENT="Mimecast URL Protect/1.0").status_code == 200
    assert client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; bingbot/2.0)").status_code == 200
    assert client.get(url).status_code == 200  # no agent at all
    assert _opened(delivery) == 0
    # The person: counted once, a reload or a second click in the next half hour is not another open.
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 200
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 200
    delivery.refresh_from_db()
    assert delivery.open_count == 1 and delivery.opened_at is not None


def test_an_address_visiting_too_often_gets_429_with_a_message(
    client, cell, users, live_statement, django_capture_on_commit_callbacks
):
    from relays import opens

    _relay, delivery, _raw = _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    limit = int(opens.ADDRESS_RATE.split("/")[0])
    for _ in range(limit):
        assert client.get(f"/r/{delivery.token}/", HTTP_USER_AGENT=BROWSER).status_code == 200
    refused = client.get(f"/r/{delivery.token}/", HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Wait a minute" in refused.content.decode()
    # Guessing tokens from one address is limited the same way.
    assert client.get("/r/guess/").status_code == 429


def test_the_statement_page_holds_its_relays_panel_for_members_only(
    client, cell, users, incident, live_statement, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    page = f"/incidents/{incident.pk}/statements/{live_statement.pk}/"
    panel = f"{page}relays/panel/"
    client.force_login(users["member"])
    body = client.get(page).content.decode()
    assert f'hx-get="{panel}"' in body and 'data-live-panel="relays"' in body
    body = client.get(panel, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Jane" in body and 'data-status="sent"' in body
    # More relays briefed: the panel's queries stay the same.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(panel)
    for n in range(5):
        _sent(users, cell, live_statement, django_capture_on_commit_callbacks, f"R{n}", f"r{n}@example.org")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(panel).content.decode().count("data-delivery=") == 6
    # Observers read the statement, not the relays (personal data): no panel, and the fragment is 403.
    client.force_login(users["observer"])
    assert panel not in client.get(page).content.decode()
    assert client.get(panel).status_code == 403


def test_bounces_go_to_the_bounce_address_the_relay_sees_the_usual_sender(
    settings, cell, users, live_statement, django_capture_on_commit_callbacks
):
    settings.BRIEFING_BOUNCE_ADDRESS = "bounces@crisis.example.org"
    _sent(users, cell, live_statement, django_capture_on_commit_callbacks)
    sent = mail.outbox[-1]
    assert sent.from_email == "bounces@crisis.example.org"  # the envelope sender (SMTP MAIL FROM)
    assert sent.message()["From"] == settings.DEFAULT_FROM_EMAIL
