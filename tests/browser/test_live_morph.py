"""Live panels are morphed in place (static/js/live/panels.js), in a real Chromium against uvicorn.

- A keyboard user's focus stays on the control it was on while the panel around it
  changes, and only what changed is highlighted.
- Text typed in a form inside a live part (a statement's draft editor) stays, with the
  cursor, while someone else's change is morphed in around it; the editor stays open.
- A page that lost its socket catches up on reconnection: each missed event once, in
  order, and a burst of events makes at most two fetches of a panel.
"""

import re

import pytest
from playwright.sync_api import expect

from facts import claims as claim_services
from incidents import services
from incidents.models import Incident, LogEntry
from statements import services as statements

from ..facts.helpers import make_statement
from .test_feedback import LIVE, elsewhere, not_reloaded, open_as, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mark_focused(page) -> None:
    """A mark on the focused element itself (a JS property: a morph keeps it only if it keeps the node)."""
    page.evaluate("document.activeElement.__focusMark = 'kept'")


def focus_kept(page) -> bool:
    return page.evaluate("document.activeElement && document.activeElement.__focusMark === 'kept'")


def test_the_keyboard_focus_stays_on_its_control_while_the_log_changes_around_it(browser, asgi_server, users, incident):
    first = elsewhere(services.log_entry_add, actor=users["manager"], incident=incident, text="Call centre: 40 calls")
    context, page = open_as(browser, asgi_server.url, users["member"], incident)
    entry = page.locator(f"[data-live-panel=log] [data-item='log-{first.seq}']")
    controls = entry.locator("a, button")
    expect(controls.first).to_be_attached()
    controls.first.focus()
    mark_focused(page)

    elsewhere(services.log_entry_add, actor=users["manager"], incident=incident, text="Legal is on it")
    log = page.locator("[data-live-panel=log]")
    expect(log).to_contain_text("Legal is on it", timeout=LIVE)
    assert focus_kept(page)
    # Only the new entry is highlighted, not the one the focus is on.
    second = LogEntry.objects.get(text="Legal is on it")
    expect(log.locator(f"[data-item='log-{second.seq}']")).to_have_class(re.compile(r"\blive-changed\b"))
    expect(entry).not_to_have_class(re.compile(r"\blive-changed\b"))
    shoot(page, "morph-log-focus", "en", "[data-live-panel=log]")
    controls.first.focus()  # (the screenshots scrolled)
    # And the keyboard goes on from there: Tab moves to the next control, not to the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement !== document.body")
    assert not_reloaded(page)
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_typed_text_and_the_cursor_stay_in_a_statement_draft_while_the_page_changes_around_it(
    browser, asgi_server, users, incident, language
):
    claim = elsewhere(
        claim_services.claim_create,
        actor=users["manager"],
        incident=incident,
        text="A video says batch 24-117 made children ill",
        url="https://video.example/clip",
    )
    statement = elsewhere(make_statement, incident=incident, author=users["member"], text="We are checking.")
    context, page = open_as(browser, asgi_server.url, users["member"], incident, language=language)
    page.goto(f"{asgi_server.url}/incidents/{incident.pk}/statements/{statement.pk}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE)
    page.evaluate("window.__noReload = true")

    editor = page.locator("details.edit-version")
    editor.locator("summary").click()
    text = editor.locator("textarea")
    text.fill("")
    text.press_sequentially("We are checking the video.")
    for _ in range(len(" the video.")):
        text.press("ArrowLeft")
    cursor = text.evaluate("field => field.selectionStart")
    assert cursor == len("We are checking")

    # Someone else links the claim to the statement: the page's live part is fetched again.
    elsewhere(statements.statement_update, actor=users["manager"], statement=statement, answers=[claim.pk])
    expect(page.locator("#answers")).to_contain_text(f"#{claim.pk}", timeout=LIVE)
    expect(text).to_have_value("We are checking the video.")
    expect(text).to_be_focused()
    assert text.evaluate("field => field.selectionStart") == cursor
    expect(editor).to_have_attribute("open", "")
    shoot(page, "morph-statement-draft", language, "details.edit-version")
    text.focus()  # (the screenshots scrolled; the cursor is where it was)
    assert text.evaluate("field => field.selectionStart") == cursor
    # The person goes on typing where they were.
    text.press_sequentially(" carefully")
    expect(text).to_have_value("We are checking carefully the video.")
    assert not_reloaded(page)
    context.close()


def test_a_page_that_lost_its_socket_catches_up_each_event_once_in_order_with_few_fetches(
    browser, asgi_server, users, incident
):
    context, page = open_as(browser, asgi_server.url, users["member"], incident)
    typed = page.locator("form.log-form textarea[name=text]")
    typed.fill("Half a sentence")
    log_fetches = []
    page.on("request", lambda request: log_fetches.append(request.url) if "/panels/log/" in request.url else None)

    context.set_offline(True)
    page.evaluate("window.crisiscellLive.drop()")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "offline", timeout=LIVE)
    texts = [f"Update {n}: call centre at {n * 10} calls" for n in range(1, 6)]
    for text in texts:
        elsewhere(services.log_entry_add, actor=users["manager"], incident=incident, text=text)
    expect(page.locator("[data-live-panel=log]")).not_to_contain_text(texts[0])

    context.set_offline(False)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=15000)
    log = page.locator("[data-live-panel=log]")
    expect(log).to_contain_text(texts[-1], timeout=LIVE)
    seq = Incident.objects.values_list("event_seq", flat=True).get(pk=incident.pk)
    page.wait_for_function(f"window.crisiscellLive.lastSeq() === {seq}", timeout=LIVE)
    # Each once, newest first as the log shows them.
    shown = [log.locator(".log-entry", has_text=text) for text in texts]
    for entry in shown:
        expect(entry).to_have_count(1)
    order = log.locator(".log-entry").all_inner_texts()
    positions = [next(i for i, line in enumerate(order) if text in line) for text in texts]
    assert positions == sorted(positions, reverse=True)
    # Five events, one burst: the log panel was fetched once, twice at most (one queued behind it).
    page.wait_for_timeout(500)
    assert 1 <= len(log_fetches) <= 2, log_fetches
    expect(typed).to_have_value("Half a sentence")
    assert not_reloaded(page)
    context.close()
