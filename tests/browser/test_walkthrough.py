"""A manager walks an incident from watch to closed in a real Chromium, against uvicorn.

Elements are found by names, data attributes and roles rather than by their
English text, so that restyling or translating the pages does not break it.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from incidents.crisislog import verify_chain
from incidents.models import Incident, LogEntry, LogKind

from ..integration.servers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "screenshots"


def level_badge(page: Page):
    """The badge of the incident's current level (not those of the log entries)."""
    return page.locator("h1 [data-level], #incident-summary [data-level]").first


def move_to(page: Page, level: str, reason: str) -> None:
    """Open the transition to `level`, give the reason, confirm."""
    page.locator(f"summary[data-to='{level}']").click()
    form = page.locator(f"details:has(summary[data-to='{level}']) form")
    form.locator("textarea[name=reason]").fill(reason)
    form.locator("[type=submit]").click()
    expect(level_badge(page)).to_have_attribute("data-level", level)


def test_manager_walks_an_incident_from_watch_to_closed(page: Page, asgi_server, users, password):
    base = asgi_server.url
    page.set_viewport_size({"width": 1366, "height": 900})

    # Log in as the manager.
    page.goto(f"{base}/login/")
    page.locator("main [name=username]").fill(users["manager"].username)
    page.locator("main [name=password]").fill(password)
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(f"{base}/")

    # Open an incident.
    page.locator("main a[href='/incidents/new/']").first.click()
    page.locator("main [name=title]").fill("Rumour: Hydra+ recall")
    page.locator("main [name=description]").fill("A post claims every Hydra+ is being recalled.")
    page.locator("main [name=crisis_type]").select_option("rumour")
    page.locator("main [name=severity]").select_option("2")
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get(title="Rumour: Hydra+ recall")
    assert page.url == f"{base}/incidents/{incident.pk}/"
    expect(level_badge(page)).to_have_attribute("data-level", "watch")

    # Straight to crisis, with a reason.
    move_to(page, "crisis", "The rumour is trending nationally")
    expect(page.locator("main")).to_contain_text("The rumour is trending nationally")

    # A crisis-log entry through the HTMX form: the panel is swapped in place.
    log_form = page.locator("form:has(textarea[name=text])")
    log_form.locator("textarea[name=text]").fill("Press office called back: no recall planned.")
    log_form.locator("[name=category]").select_option("decision")
    url_before = page.url
    log_form.locator("[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Press office called back: no recall planned.")
    assert page.url == url_before  # swapped, not a full page load elsewhere
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "walkthrough-crisis.png"), full_page=True)

    # Switch the UI to French.
    page.locator("button[name=language][value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(level_badge(page)).to_have_text("Crise")

    # Recovery, then closed.
    move_to(page, "recovery", "Denial picked up by the media")
    move_to(page, "closed", "Back to normal for 48 hours")

    page.screenshot(path=str(SCREENSHOTS / "walkthrough-closed.png"), full_page=True)

    # What the browser did is what the database holds: one entry per step, a valid chain.
    incident.refresh_from_db()
    assert incident.level == "closed"
    steps = list(
        LogEntry.objects.filter(incident=incident, kind=LogKind.LEVEL_CHANGED)
        .order_by("seq")
        .values_list("data__from", "data__to")
    )
    assert steps == [("watch", "crisis"), ("crisis", "recovery"), ("recovery", "closed")]
    note = LogEntry.objects.get(incident=incident, kind=LogKind.NOTE)
    assert (note.category, note.actor) == ("decision", users["manager"])
    report = verify_chain(incident)
    assert report.valid, report
