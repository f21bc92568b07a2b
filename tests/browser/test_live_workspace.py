"""Two people in one incident, in two real browsers, against uvicorn: nobody reloads.

A member and a manager have the workspace open. The member's log entry and chat
message (with an @mention) appear on the manager's page live, with the mention's
notification; the manager's escalation changes the member's level live; the
member loses the connection, things happen, and the member's page catches up
on reconnect with every change once.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from incidents.models import Incident

from ..integration.servers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "screenshots"
LIVE_TIMEOUT = 5000  # ms: "within a second" on a quiet machine; this one is shared and noisy


def open_as(browser, base: str, user, incident):
    """A browser context logged in as `user` (a real session), on the incident's workspace."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE_TIMEOUT)
    # A marker that a reload would wipe: the pages must update in place.
    page.evaluate("window.__noReload = true")
    return context, page


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def add_log_entry(page, text: str) -> None:
    form = page.locator("form.log-form")
    form.locator("textarea[name=text]").fill(text)
    form.locator("[type=submit]").click()


def post_chat(page, text: str) -> None:
    form = page.locator("form.chat-form")
    form.locator("textarea[name=chat-text]").fill(text)
    form.locator("[type=submit]").click()


def test_two_members_see_each_other_live_and_a_dropped_page_catches_up(browser, asgi_server, users, cell):
    from incidents import services

    base = asgi_server.url
    incident = services.incident_create(actor=users["member"], cell=cell, title="Hydra+ allergen rumour", severity=2)
    member_context, member = open_as(browser, base, users["member"], incident)
    manager_context, manager = open_as(browser, base, users["manager"], incident)

    # Both see each other in the presence bar.
    expect(member.locator("[data-presence] .face")).to_have_count(2, timeout=LIVE_TIMEOUT)

    # The member writes in the log and in the chat; the manager's page shows both.
    add_log_entry(member, "Influencer @beautyqueen shared the video (1.2 M followers)")
    expect(manager.locator("[data-live-panel=log]")).to_contain_text("1.2 M followers", timeout=LIVE_TIMEOUT)
    post_chat(member, f"@{users['manager'].username} can you approve the holding statement?")
    expect(manager.locator("[data-live-panel=chat]")).to_contain_text(
        "can you approve the holding statement", timeout=LIVE_TIMEOUT
    )
    expect(manager.locator("[data-live-panel=chat] .chat-message.mentions-me")).to_have_count(1)
    # The mention's notification: the badge counts it, a toast names it.
    expect(manager.locator("[data-notifications-badge] [data-unread-number]")).to_have_text("1", timeout=LIVE_TIMEOUT)
    expect(manager.locator("[data-live-toast]")).to_be_visible()
    expect(manager.locator("[data-live-toast]")).to_contain_text("mentioned you")
    assert not_reloaded(manager)

    # The manager escalates; the member's level changes live.
    manager.locator("summary[data-to='crisis']").click()
    form = manager.locator("details:has(summary[data-to='crisis']) form")
    form.locator("textarea[name=reason]").fill("National press picked it up")
    form.locator("[type=submit]").click()
    expect(member.locator("ol.level-track")).to_have_attribute("data-level", "crisis", timeout=LIVE_TIMEOUT)
    expect(member.locator("#level-history")).to_contain_text("National press picked it up")
    assert not_reloaded(member)
    SCREENSHOTS.mkdir(exist_ok=True)
    member.screenshot(path=str(SCREENSHOTS / "live-member.png"), full_page=True)
    manager.screenshot(path=str(SCREENSHOTS / "live-manager.png"), full_page=True)

    # The member loses the network: the page says so and stops receiving.
    seq_before = member.evaluate("window.crisiscellLive.lastSeq()")
    member_context.set_offline(True)
    member.evaluate("window.crisiscellLive.drop()")
    expect(member.locator("[data-live-status]")).to_have_attribute("data-state", "offline", timeout=LIVE_TIMEOUT)

    # Meanwhile the manager works.
    add_log_entry(manager, "Legal confirms the label is complete")
    expect(manager.locator("[data-live-panel=log]")).to_contain_text("Legal confirms the label is complete")
    post_chat(manager, "Statement v2 on its way")
    expect(manager.locator("[data-live-panel=chat]")).to_contain_text("Statement v2 on its way")
    expect(member.locator("[data-live-panel=log]")).not_to_contain_text("Legal confirms the label is complete")

    # Back online: it reconnects by itself and catches up, each change once, in order.
    member_context.set_offline(False)
    expect(member.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=15000)
    expect(member.locator("[data-live-panel=log]")).to_contain_text(
        "Legal confirms the label is complete", timeout=LIVE_TIMEOUT
    )
    expect(member.locator("[data-live-panel=chat]")).to_contain_text("Statement v2 on its way")
    expect(member.locator("[data-live-panel=log] .log-entry", has_text="Legal confirms")).to_have_count(1)
    incident_seq = Incident.objects.values_list("event_seq", flat=True).get(pk=incident.pk)
    assert seq_before < incident_seq
    member.wait_for_function(f"window.crisiscellLive.lastSeq() === {incident_seq}", timeout=LIVE_TIMEOUT)
    assert not_reloaded(member)

    member_context.close()
    manager_context.close()


def test_a_page_whose_session_ended_stops_reconnecting_and_says_so(browser, asgi_server, users, incident):
    """The server refuses the handshake (the browser sees only 1006, as for a network
    error); the page asks the API, hears 403, and stops instead of retrying forever."""
    from django.contrib.sessions.models import Session

    context, page = open_as(browser, asgi_server.url, users["member"], incident)
    Session.objects.all().delete()  # expired, or ended elsewhere without this tab's socket hearing of it
    page.evaluate("window.crisiscellLive.drop()")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "closed", timeout=LIVE_TIMEOUT)
    expect(page.locator("[data-live-status]")).to_have_text("Disconnected — reload the page")
    # And it stays so: no reconnection attempt follows.
    page.wait_for_timeout(1500)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "closed")
    assert not_reloaded(page)
    context.close()
