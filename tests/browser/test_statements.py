"""A holding statement from draft to "needs review", in a real Chromium against uvicorn.

A member drafts a holding statement citing a verified fact, a manager approves
and publishes it, the fact is then retracted (a verified fact is retracted, not
refuted, when new evidence turns up: the cascade is the same), and the statement
shows "needs review" to the member and to the manager.

Two browser contexts, two people logged in at once. Elements are found by
names and data attributes rather than by their English text.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from facts import services as facts
from notifications.models import Notification
from statements.models import Statement

from ..integration.servers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "screenshots"
SOURCE = {"kind": "document", "reference": "QA report 2411", "note": "Signed by the quality director"}


def logged_in(browser: Browser, base: str, username: str, password: str) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", timezone_id="Europe/Paris")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.locator("main [name=username]").fill(username)
    page.locator("main [name=password]").fill(password)
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    return page


def version_card(page: Page, number: int):
    return page.locator(f"section[data-version='{number}']")


def test_a_retracted_fact_flags_the_published_holding_statement_for_member_and_manager(
    browser: Browser, asgi_server, users, incident, password
):
    base = asgi_server.url
    workspace = f"{base}/incidents/{incident.pk}/"
    # A fact recorded by one member and verified by the manager (four-eyes).
    fact = facts.fact_create(
        actor=users["member2"], incident=incident, text="Batch 24-117 has no undeclared allergen.", sources=[SOURCE]
    )
    fact = facts.fact_verify(actor=users["manager"], fact=fact)

    # The member drafts a holding statement citing it.
    member = logged_in(browser, base, users["member"].username, password)
    member.goto(workspace)
    expect(member.locator("[data-live-panel=facts] [data-status=verified]")).to_be_visible()
    member.locator("#statements a[href$='/statements/new/']").click()
    member.locator("[name=kind]").select_option("holding")
    member.locator("[name=audience]").select_option("social")
    member.locator("[name=title]").fill("Holding statement: Hydra+")
    member.locator("[name=text]").fill(
        "We know about the posts on Hydra+.\nOur lab checked the batch: no hidden allergen."
    )
    member.locator(f"[name=cited_facts][value='{fact.pk}']").check()
    member.locator("main form [type=submit].primary").click()
    expect(member).to_have_url(re.compile(r"/statements/\d+/$"))
    statement = Statement.objects.get(title="Holding statement: Hydra+")
    statement_url = f"{base}/incidents/{incident.pk}/statements/{statement.pk}/"
    expect(version_card(member, 1)).to_have_attribute("data-status", "draft")
    member.locator("button[data-action=submit]").click()
    expect(version_card(member, 1)).to_have_attribute("data-status", "in_review")
    # Four-eyes: the author has no approve button, and a member none at all.
    expect(member.locator("button[data-action=approve]")).to_have_count(0)

    # The manager approves and publishes it.
    manager = logged_in(browser, base, users["manager"].username, password)
    manager.goto(statement_url)
    manager.locator("button[data-action=approve]").click()
    expect(version_card(manager, 1)).to_have_attribute("data-status", "approved")
    expect(version_card(manager, 1).locator(".sha code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    publish = version_card(manager, 1).locator("form[action$='/publish/']")
    publish.locator("input[name$=channel]").fill("X and Instagram")
    publish.locator("[type=submit]").click()
    expect(version_card(manager, 1)).to_have_attribute("data-status", "published")
    # The copy-ready text and its Copy button (shown by app.js, no inline script).
    expect(manager.locator("#copy-text")).to_have_value(re.compile("no hidden allergen"))
    copy = manager.locator("button[data-copy=copy-text]")
    expect(copy).to_be_visible()
    # The clipboard answers the focused page only: with the member's page opened after it,
    # the manager's must come to the front first, as a person's click would bring it.
    manager.bring_to_front()
    copy.click()
    expect(copy).to_have_class(re.compile(r"\bcopied\b"))
    assert "no hidden allergen" in manager.evaluate("navigator.clipboard.readText()")
    # A browser that refuses both ways of copying: said on the button and to screen
    # readers, and the text left selected for Ctrl+C.
    manager.evaluate(
        "navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));document.execCommand = () => false;"
    )
    copy.click()
    expect(copy).to_have_class(re.compile(r"\bcopy-failed\b"))
    expect(copy).to_contain_text("Not copied")
    expect(manager.locator("[data-copy-status=copy-text]")).to_contain_text("press Ctrl+C")
    selected = (
        "(() => { const t = document.getElementById('copy-text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); })()"
    )
    assert "no hidden allergen" in manager.evaluate(selected)
    expect(manager.locator("#review .due")).to_be_visible()  # a review deadline, from the level

    # New evidence: the member retracts the fact, with a reason, on its page.
    member.goto(workspace)
    member.locator(f"[data-item=fact-{fact.pk}] a[data-action=retract]").click()
    member.locator("#retract summary").click()
    member.locator("#retract-reason").fill("Second lab test found traces of linalool.")
    member.locator("button[data-action=retract]").click()
    expect(member.locator("h1 [data-status]")).to_have_attribute("data-status", "retracted")

    # "Needs review", for both, on the workspace and on the statement's page.
    for page in (member, manager):
        page.goto(workspace)
        banner = page.locator("[data-live-panel=needs-review] .needs-review-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Holding statement: Hydra+")
        expect(banner).to_contain_text("Second lab test found traces of linalool.")
        expect(page.locator(f"[data-item=statement-{statement.pk}] [data-needs-review]")).to_be_visible()
        banner.locator(f"a[href$='/statements/{statement.pk}/']").first.click()
        expect(page).to_have_url(statement_url)
        expect(page.locator("section[data-needs-review]")).to_contain_text("Second lab test")
        # And a notification, counted in the top bar.
        expect(page.locator("[data-notifications-badge]")).to_have_class(re.compile(r"\bhas-unread\b"))
    SCREENSHOTS.mkdir(exist_ok=True)
    manager.screenshot(path=str(SCREENSHOTS / "statement-needs-review.png"), full_page=True)

    statement.refresh_from_db()
    assert statement.needs_review and statement.needs_review_facts == [fact.pk]
    notified = set(Notification.objects.filter(kind="needs_review").values_list("user__username", flat=True))
    assert {users["member"].username, users["manager"].username} <= notified
