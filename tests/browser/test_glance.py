"""Issue 9 in a real Chromium against uvicorn: the live incident list, the closing checklist,
the phone layout at 390 px (FR and EN), the keyboard (chat with Enter, skip links), and an
axe-core check of the main pages (zero serious or critical violations).

Elements are found by names and data attributes rather than by their English text.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from chat import services as chat
from chat.models import ChatMessage
from facts import claims as claim_services
from facts import services as fact_services
from incidents import services
from incidents.models import Incident, LogEntry, LogKind
from notifications.models import Notification
from statements import services as statement_services

from ..facts.helpers import make_fact, make_statement, version
from ..integration.servers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
LIVE_TIMEOUT = 8000  # ms: a shared, noisy machine
PHONE = {"width": 390, "height": 844}
# A 200-character title with no space: it must not widen any page.
LONG_TITLE = "Rumeur" + "x" * 194


def elsewhere(service, /, **kwargs):
    """Run a service in another thread, as another person's request would: Playwright's event loop
    in this thread would stop async_to_sync, hence the broadcasts that make pages live."""

    def run():
        try:
            return service(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def open_as(browser: Browser, base: str, user, path: str, *, viewport=None, locale="en-GB", axe=False) -> Page:
    """A page logged in as `user` (a real session), on `path`."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        locale=locale, timezone_id="Europe/Paris", viewport=viewport or {"width": 1366, "height": 900}
    )
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    if axe:
        # An init script is injected by the browser itself: the page's CSP (script-src 'self') does not apply.
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{base}{path}")
    return page


def busy_incident(cell, users, title="Hydra+ allergen rumour"):
    """An incident with a retracted fact, a statement needing review, one in review, a claim circulating, chat."""
    member, member2, manager = users["member"], users["member2"], users["manager"]
    incident = services.incident_create(actor=member, cell=cell, title=title, severity=2)
    fact = make_fact(incident, member2, text="Batch 24-117 has no undeclared allergen.", verifier=manager)
    make_fact(incident, member, text="« Lab results » for batch 43 are pending")
    statement = make_statement(incident, member, facts=[fact], text="We checked batch 24-117: no allergen.")
    draft = statement_services.version_submit(actor=member, version=version(statement))
    statement_services.version_approve(actor=manager, version=draft)
    statement_services.version_publish(actor=manager, version=version(statement), channel="website")
    fact_services.fact_retract(actor=member2, fact=fact, reason="Trace of linalool found")
    in_review = make_statement(incident, member, text="Second statement, waiting.")
    statement_services.version_submit(actor=member, version=version(in_review))
    claim_services.claim_create(actor=member, incident=incident, text="« Hydra+ rend aveugle »", where="Forum")
    chat.chat_post(actor=member2, incident=incident, text=f"@{manager.username} **please** look at claim#1")
    entry = services.log_entry_add(actor=member, incident=incident, text="Stop all ads", category="decision")
    services.log_entry_pin(actor=member, incident=incident, entry=entry)
    return incident, statement


def overflow(page: Page) -> list[str]:
    """Elements that reach past the right edge of the screen (outside a box that scrolls or clips them)."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        const clipped = (el) => {
          for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true;
          }
          return false;
        };
        const bad = [];
        const total = document.documentElement.scrollWidth;
        if (total > width) bad.push('page scrollWidth ' + total);
        for (const el of document.body.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
          if (r.right > width + 1 && !clipped(el)) {
            bad.push(el.tagName + '.' + el.className + ' right=' + Math.round(r.right));
          }
        }
        return bad.slice(0, 10);
    }"""
    )


def test_the_incident_list_updates_live_without_reload(browser: Browser, asgi_server, cell, users):
    calm = services.incident_create(actor=users["member"], cell=cell, title="Delivery delays")
    page = open_as(browser, asgi_server.url, users["observer"], "/?sort=attention")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE_TIMEOUT)
    page.evaluate("window.__noReload = true")
    row = page.locator(f"tr[data-incident='{calm.pk}']")
    expect(row.locator("[data-concern]")).to_have_count(0)

    # Someone else registers a claim and escalates: the row shows it, live.
    elsewhere(claim_services.claim_create, actor=users["member"], incident=calm, text="Parcels are lost on purpose")
    expect(row.locator("[data-concern=open_claims] strong")).to_have_text("1", timeout=LIVE_TIMEOUT)
    elsewhere(services.incident_transition, actor=users["manager"], incident=calm, to_level="crisis", reason="Press")
    expect(row.locator("[data-level]")).to_have_attribute("data-level", "crisis", timeout=LIVE_TIMEOUT)
    # A new incident of the cell appears, and the sort by attention puts the busy one first.
    elsewhere(services.incident_create, actor=users["member"], cell=cell, title="A brand new signal")
    expect(page.locator("#incident-rows")).to_contain_text("A brand new signal", timeout=LIVE_TIMEOUT)
    expect(page.locator("#incident-rows tbody tr").first).to_have_attribute("data-incident", str(calm.pk))
    assert page.evaluate("window.__noReload === true")
    page.context.close()


def test_closing_shows_what_is_still_open_and_a_manager_closes_anyway_with_a_reason(
    browser: Browser, asgi_server, cell, users
):
    incident, _statement = busy_incident(cell, users)
    page = open_as(browser, asgi_server.url, users["manager"], f"/incidents/{incident.pk}/")
    # From watch the manager may close: the close form lists what is open and asks for a reason to close anyway.
    page.locator("summary[data-to='closed']").click()
    check = page.locator("[data-closing-check]")
    expect(check).to_be_visible()
    for concern in ("needs_review", "awaiting_approval", "open_claims"):
        expect(check.locator(f"[data-concern={concern}]")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "close-checklist.png"), full_page=True)
    form = page.locator("details:has(summary[data-to='closed']) form")
    form.locator("textarea[name=reason]").fill("Back to normal for 48 hours")
    # The browser asks for the reason to close anyway before sending anything.
    form.locator("[type=submit]").click()
    assert Incident.objects.get(pk=incident.pk).level == "watch"
    assert form.locator("textarea[name=force_reason]").evaluate("el => !el.validity.valid")
    form.locator("textarea[name=force_reason]").fill("The open items are handled by legal, off-line")
    form.locator("[type=submit]").click()
    expect(page.locator("ol.level-track")).to_have_attribute("data-level", "closed", timeout=LIVE_TIMEOUT)
    entry = LogEntry.objects.get(incident=incident, kind=LogKind.LEVEL_CHANGED)
    assert entry.data["forced"]["reason"] == "The open items are handled by legal, off-line"
    assert set(entry.data["forced"]["open"]) >= {"needs_review", "awaiting_approval", "open_claims"}
    expect(page.locator(".log-entry .forced-close")).to_be_visible()
    page.context.close()


def test_record_as_a_decision_asks_for_confirmation(browser: Browser, asgi_server, incident, users):
    message = chat.chat_post(actor=users["member2"], incident=incident, text="Let's stop the ads")
    page = open_as(browser, asgi_server.url, users["member"], f"/incidents/{incident.pk}/")
    button = page.locator(f"#chat-{message.pk} button.promote")
    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    page.wait_for_timeout(300)
    assert ChatMessage.objects.get(pk=message.pk).promoted_entry_id is None  # refused: nothing written
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(page.locator(f"#chat-{message.pk} .badge.category")).to_be_visible(timeout=LIVE_TIMEOUT)
    assert ChatMessage.objects.get(pk=message.pk).promoted_entry_id is not None
    page.context.close()


def test_keyboard_enter_sends_chat_shift_enter_adds_a_line_and_the_log_form_is_three_keys_away(
    browser: Browser, asgi_server, incident, users
):
    page = open_as(browser, asgi_server.url, users["member"], f"/incidents/{incident.pk}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE_TIMEOUT)
    # Tab, Tab, Enter: in the crisis-log form.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link").first).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#log-form textarea[name=text]")).to_be_focused()
    # Visible focus: the focused field has an outline.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    field = page.locator("form.chat-form textarea")
    field.focus()
    page.keyboard.type("First line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    assert field.input_value() == "First line\nsecond line"
    page.keyboard.press("Enter")
    expect(page.locator("[data-live-panel=chat]")).to_contain_text("second line", timeout=LIVE_TIMEOUT)
    assert ChatMessage.objects.get(incident=incident).text == "First line\nsecond line"
    expect(page.locator("form.chat-form textarea")).to_have_value("")
    page.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_nothing_is_wider_than_a_phone_screen(browser: Browser, asgi_server, cell, users, language):
    incident, statement = busy_incident(cell, users, title=LONG_TITLE)
    services.incident_create(actor=users["member"], cell=cell, title="Second " + "y" * 190)
    Notification.objects.filter(user=users["manager"]).exists()
    base = asgi_server.url
    page = open_as(browser, base, users["manager"], "/", viewport=PHONE, locale="fr-FR")
    # The language switch and the bell stay visible.
    page.locator(f".lang-switch button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    paths = {
        "list": "/",
        "workspace": f"/incidents/{incident.pk}/",
        "statement": f"/incidents/{incident.pk}/statements/{statement.pk}/",
        "notifications": "/notifications/",
        "search": f"/incidents/{incident.pk}/search/?q=batch",
    }
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, path in paths.items():
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        expect(page.locator(".lang-switch")).to_be_in_viewport()
        expect(page.locator("[data-notifications-badge]")).to_be_in_viewport()
        assert overflow(page) == [], f"{name} ({language})"
        page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.{language}.png"), full_page=True)
    # The workspace puts summary, level, log form and log first.
    page.goto(f"{base}/incidents/{incident.pk}/")
    tops = page.evaluate(
        """() => ['#glance', 'ol.level-track', '#log-form', '#chat', '#claims'].map(
            (s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY)"""
    )
    assert tops == sorted(tops), tops
    # Every other card (history, verification, panels added later) comes after the log form.
    later = page.evaluate(
        """() => {
            const form = document.querySelector('#log-form').getBoundingClientRect().top;
            return [...document.querySelectorAll('.ws-flow .card')]
                .filter((card) => !card.matches('#glance, #log-panel, #transitions, .needs-review-live'))
                .filter((card) => card.getBoundingClientRect().top < form)
                .map((card) => card.id || card.className);
        }"""
    )
    assert later == [], later
    # The list's filters fold away.
    page.goto(f"{base}/")
    expect(page.locator("details.filters-fold")).not_to_have_attribute("open", "")
    page.context.close()


def test_axe_finds_no_serious_or_critical_violation_on_the_main_pages(browser: Browser, asgi_server, cell, users):
    incident, statement = busy_incident(cell, users)
    base = asgi_server.url
    pages = {
        "incident list": "/",
        "workspace": f"/incidents/{incident.pk}/",
        "statement": f"/incidents/{incident.pk}/statements/{statement.pk}/",
        "notifications": "/notifications/",
        "search": f"/incidents/{incident.pk}/search/?q=batch",
    }
    found = {}
    for language in ("fr-FR", "en-GB"):
        anonymous = Client()
        context = browser.new_context(locale=language, viewport={"width": 1366, "height": 900})
        context.add_init_script(path=str(AXE))
        login = context.new_page()
        login.goto(f"{base}/login/")
        found[f"login {language}"] = axe_problems(login)
        context.close()
        assert anonymous  # the login page is seen logged out
        for viewport in ({"width": 1366, "height": 900}, PHONE):
            page = open_as(browser, base, users["manager"], "/", viewport=viewport, locale=language, axe=True)
            for name, path in pages.items():
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                found[f"{name} {language} {viewport['width']}"] = axe_problems(page)
            page.context.close()
    assert {page: problems for page, problems in found.items() if problems} == {}


def axe_problems(page: Page) -> list[str]:
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = "; ".join(str(node["target"]) for node in violation["nodes"][:4])
            problems.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return problems


def test_statement_and_notifications_pages_update_live_and_presence_tells_people_apart(
    browser: Browser, asgi_server, incident, users
):
    member, manager = users["member"], users["manager"]
    statement = make_statement(incident, member, text="We are checking the batch.")
    base = asgi_server.url
    page = open_as(browser, base, manager, f"/incidents/{incident.pk}/statements/{statement.pk}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE_TIMEOUT)
    workspace = open_as(browser, base, member, f"/incidents/{incident.pk}/")
    page.evaluate("window.__noReload = true")

    # Two people: two faces, each with its own colour and the person's name for screen readers.
    faces = page.locator("[data-presence] .face")
    expect(faces).to_have_count(2, timeout=LIVE_TIMEOUT)
    classes = faces.evaluate_all("faces => faces.map(f => [...f.classList].find(c => /^face-\\d$/.test(c)))")
    assert len(set(classes)) == 2, classes
    expect(page.locator("[data-presence]")).to_contain_text(str(member))

    # The member submits the draft: the manager's statement page shows it in review, without a reload.
    expect(page.locator("section[data-version='1']")).to_have_attribute("data-status", "draft")
    elsewhere(statement_services.version_submit, actor=member, version=version(statement))
    expect(page.locator("section[data-version='1']")).to_have_attribute(
        "data-status", "in_review", timeout=LIVE_TIMEOUT
    )
    expect(page.locator("section[data-version='1'] [data-action=approve]")).to_be_visible()
    assert page.evaluate("window.__noReload === true")

    # The notifications page: an @mention arrives, the list shows it without a reload.
    page.goto(f"{base}/notifications/")
    expect(page.locator("[data-notifications-badge]")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__noReload = true")
    before = page.locator(".notification").count()
    elsewhere(chat.chat_post, actor=member, incident=incident, text=f"@{manager.username} the draft is in review")
    expect(page.locator(".notification")).to_have_count(before + 1, timeout=LIVE_TIMEOUT)
    expect(page.locator(".notifications")).to_contain_text("mentioned you")
    assert page.evaluate("window.__noReload === true")
    workspace.context.close()
    page.context.close()


def test_one_switch_hides_automatic_log_entries_and_decisions_stand_out(browser: Browser, asgi_server, incident, users):
    from django.db import transaction

    from incidents import crisislog

    services.log_entry_add(actor=users["member"], incident=incident, text="Stop the ads", category="decision")
    with transaction.atomic():
        crisislog.append_entry(incident=incident, kind=LogKind.NOTIFICATION, data={"recipients": 4})
    page = open_as(browser, asgi_server.url, users["observer"], f"/incidents/{incident.pk}/")
    log = page.locator("[data-live-panel=log]")
    expect(log.locator(".kind-notification")).to_have_count(1)
    decision = log.locator(".log-entry.category-decision")
    assert decision.evaluate("el => getComputedStyle(el).borderLeftWidth") == "5px"
    page.locator(".log-switch input[name=auto]").check()
    expect(page.locator("[data-live-panel=log] .kind-notification")).to_have_count(0)
    expect(page.locator("[data-live-panel=log]")).to_contain_text("Stop the ads")
    page.locator(".log-switch input[name=auto]").uncheck()
    expect(page.locator("[data-live-panel=log] .kind-notification")).to_have_count(1)
    page.context.close()
