"""The response queue in a real Chromium against uvicorn, two people at once.

A complaint enters the queue (a cell rule, run by the scan job); a member claims
it and answers it from an approved response template; the manager, whose queue
page stays open, sees the time to first response appear without reloading.
"""

import pytest
from playwright.sync_api import Browser, expect

from response_queue import tasks
from response_queue.models import QueueItem, QueueRule
from statements.models import StatementKind
from tests.facts.helpers import make_statement, published
from tests.response_queue.conftest import make_mention

from .test_statements import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_complaint_is_claimed_answered_from_a_template_and_the_manager_sees_it(
    browser: Browser, asgi_server, cell, users, incident, password
):
    base = asgi_server.url
    template = make_statement(
        incident, users["member"], kind=StatementKind.RESPONSE_TEMPLATE, text="Bonjour {author}, dossier {ticket}."
    )
    template = published(template, users["member"], users["manager"])
    QueueRule.objects.create(cell=cell, name="Complaints", kind="terms", terms="remboursez")
    make_mention(cell, "Remboursez-moi <b>maintenant</b>", handle="angry_client")
    assert tasks.scan_mentions() == 1
    item = QueueItem.objects.get()

    manager = logged_in(browser, base, users["manager"].username, password)
    manager.goto(f"{base}/incidents/{incident.pk}/queue/")
    expect(manager.locator("[data-live-status]")).to_have_attribute("data-state", "live")
    median = manager.locator("#queue-metrics dl div").nth(2).locator("dd")
    expect(median).to_have_text("—")
    # The mention's text is shown as text, never as markup.
    expect(manager.locator("#queue-items")).to_contain_text("<b>maintenant</b>")

    member = logged_in(browser, base, users["member"].username, password)
    member.goto(f"{base}/incidents/{incident.pk}/queue/")
    member.locator(f"#queue-items a[href$='/queue/{item.pk}/']").click()
    member.locator("button[name=action][value=claim]").click()
    expect(member.locator(".flash-success")).to_be_visible()
    member.locator("select[name=template]").select_option(str(template.pk))
    member.locator("input[name=ticket]").fill("T-42")
    member.locator("input[name=channel]").fill("X")
    member.locator(
        "input[name=action][value=answer] ~ .actions button, form:has(input[value=answer]) button[type=submit]"
    ).first.click()
    expect(member).to_have_url(f"{base}/incidents/{incident.pk}/queue/")

    item.refresh_from_db()
    assert (item.state, item.reply_text) == ("answered", "Bonjour @angry_client, dossier T-42.")
    # Live, on the manager's page: the median time to first response is a number now.
    expect(median).not_to_have_text("—", timeout=15000)
    expect(median).to_contain_text("min")
