"""The statement page shows its relays inline, in a real Chromium against uvicorn: the panel that
relays serves is loaded into the page, then refreshed live when a relay's copy bounces."""

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from relays import services
from tests.facts.helpers import eager_celery, make_fact, make_statement, published
from tests.relays.conftest import add_relay
from tests.relays.test_bounces_and_opens import postfix_dsn

from .test_statements import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_statement_page_shows_each_relays_status_live(
    browser: Browser, asgi_server, cell, users, incident, password
):
    base = asgi_server.url
    member, manager = users["member"], users["manager"]
    fact = make_fact(incident, users["member2"], text="Batch 42 was recalled.", verifier=manager)
    statement = make_statement(incident, member, facts=[fact])
    published(statement, member, manager)
    jane = add_relay(member, cell, "Jane <i>Partner</i>", email="jane@example.org")
    with eager_celery():
        services.brief(actor=manager, version=statement.versions.get(status="published"), relays=[jane.pk])
    sent = mail.outbox[-1].message().as_bytes()

    page = logged_in(browser, base, member.username, password)
    page.goto(f"{base}/incidents/{incident.pk}/statements/{statement.pk}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live")
    row = page.locator("#statement-relays tr[data-delivery]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Jane <i>Partner</i>")  # text, never markup
    expect(row).to_have_attribute("data-status", "sent")
    # A late bounce arrives: the page shows it without a reload (the "bounced" log entry refreshes it).
    assert services.process_dsn(postfix_dsn(sent))["bounced"]
    expect(row).to_have_attribute("data-status", "bounced", timeout=15000)
    expect(row).to_contain_text("5.1.1")
