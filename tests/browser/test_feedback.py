"""Nothing fails silently (issue 9), in a real Chromium against uvicorn.

- A member demoted to observer while the page is open submits a log entry: the
  page says why it was not saved, keeps the text, and its controls follow the new
  role; the role changes that follow reach the page live (no reload).
- A chat message written offline is kept, goes out by itself on reconnection, and
  a message that can no longer be sent says so.
- The connection label follows the socket back to "Live" after a short drop.
- A refused level change leaves the browser on the workspace's address: a reload
  does not post again. A success banner that someone else's change made false says so.
- Half-typed text survives a reload and is forgotten once sent.

Screenshots of the failure states (desktop and 390 px, English and French) go to
./screenshots/feedback-*.png.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from cells import services as cells
from cells.models import Membership, Role
from chat.models import ChatMessage
from incidents import services
from incidents.models import Incident, LogEntry

from ..integration.servers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "screenshots"
LIVE = 8000  # ms: a shared, noisy machine
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def open_as(browser, base: str, user, incident, *, language="en"):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport=DESKTOP)
    context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base},
        ]
    )
    page = context.new_page()
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE)
    page.evaluate("window.__noReload = true")  # a reload would wipe it
    return context, page


def count_socket_openings(page) -> None:
    """window.__socketsOpened counts the sockets the page opens from now on."""
    page.evaluate(
        """() => {
            const Original = window.WebSocket;
            window.__socketsOpened = 0;
            function Counted(url, protocols) {
                window.__socketsOpened += 1;
                return new Original(url, protocols);
            }
            Counted.prototype = Original.prototype;
            ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((name) => { Counted[name] = Original[name]; });
            window.WebSocket = Counted;
        }"""
    )


def elsewhere(service, **kwargs):
    """Call a service as another person's request would, in another thread.

    Playwright's event loop runs in this thread, and the broadcast after commit
    (async_to_sync) refuses to run beside it: the change would commit unheard."""

    def call():
        try:
            return service(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def shoot(page, name: str, language: str, focus: str = "") -> None:
    """The state on screen, at the desktop width and at 390 px, scrolled to `focus` (a selector)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for size, viewport in (("desktop", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        if focus:
            page.locator(focus).first.evaluate("element => element.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(SCREENSHOTS / f"feedback-{name}-{language}-{size}.png"))
    page.set_viewport_size(DESKTOP)


WORDS = {
    "en": {
        "not_saved": "Not saved: This needs the Member role in Cellule Durand; you are Observer. "
        "Your text is kept here.",
        "now_member": "Your role in this cell is now Member.",
        "now_observer": "Your role in this cell is now Observer.",
        "frozen": "You can no longer send this from here; your text is kept so you can copy it.",
        "offline": "Offline: not sent, kept here. It goes out by itself when the connection is back.",
        "gone": "you are no longer a member of this cell",
    },
    "fr": {
        "not_saved": "Non enregistré\u00a0: Il faut le rôle Membre dans la cellule Cellule Durand\u00a0; "
        "vous êtes Observateur. Votre texte est conservé ici.",
        "now_member": "Votre rôle dans cette cellule est maintenant\u00a0: Membre.",
        "now_observer": "Votre rôle dans cette cellule est maintenant\u00a0: Observateur.",
        "frozen": "Vous ne pouvez plus l'envoyer d'ici\u00a0; votre texte est conservé "
        "pour que vous puissiez le copier.",
        "offline": "Hors ligne\u00a0: non envoyé, conservé ici. Il partira tout seul au retour de la connexion.",
        "gone": "vous n'êtes plus membre de cette cellule",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_demoted_member_is_told_keeps_the_text_and_the_controls_follow_the_role(
    browser, asgi_server, users, cell, incident, language
):
    words = WORDS[language]
    membership = Membership.objects.get(user=users["member"], cell=cell)
    context, page = open_as(browser, asgi_server.url, users["member"], incident, language=language)
    log_form = page.locator("form.log-form")
    text = log_form.locator("textarea[name=text]")
    text.fill("Influencer @beautyqueen reposted the fake recall notice")
    expect(page.locator("#claim-add-region details")).to_have_count(1)
    expect(page.locator("#transitions details.transition")).not_to_have_count(0)

    # Demoted while the page is open, and the page did not hear of it (the change was
    # written without its broadcast, as when the message is lost): it still shows the form.
    Membership.objects.filter(pk=membership.pk).update(role=Role.OBSERVER)
    log_form.locator("[type=submit]").click()

    # Said where the person is looking, with what to do; the text stays.
    feedback = log_form.locator("[data-form-feedback]")
    expect(feedback).to_have_text(words["not_saved"], timeout=LIVE)
    expect(feedback).to_have_attribute("role", "alert")
    expect(text).to_have_value("Influencer @beautyqueen reposted the fake recall notice")
    assert LogEntry.objects.filter(text__contains="beautyqueen").count() == 0
    # The refusal brought the controls up to date: no claim form, no level buttons; the
    # log form stays for its text, but says it can no longer be sent from here.
    expect(page.locator("#claim-add-region details")).to_have_count(0, timeout=LIVE)
    expect(page.locator("#transitions details.transition")).to_have_count(0, timeout=LIVE)
    expect(page.locator("#log-form-region [data-role-note]")).to_contain_text(words["frozen"])
    expect(log_form.locator("[type=submit]")).to_be_disabled()
    shoot(page, "demoted", language, "form.log-form [data-form-feedback]")

    # Promoted back by an administrator: the page hears it live and offers the controls again.
    elsewhere(cells.membership_change_role, membership=membership, role=Role.MEMBER)
    expect(page.locator("[data-role-banner]")).to_contain_text(words["now_member"], timeout=LIVE)
    expect(page.locator("#claim-add-region details")).to_have_count(1, timeout=LIVE)
    expect(page.locator("#transitions details.transition")).not_to_have_count(0, timeout=LIVE)
    expect(log_form.locator("[type=submit]")).to_be_enabled()
    expect(text).to_have_value("Influencer @beautyqueen reposted the fake recall notice")

    # The kept text goes out now; the form is empty again.
    log_form.locator("[type=submit]").click()
    expect(page.locator("[data-live-panel=log]")).to_contain_text("reposted the fake recall notice", timeout=LIVE)
    expect(page.locator("form.log-form textarea[name=text]")).to_have_value("")

    # Demoted again, this time with its broadcast: the controls go before anyone tries.
    elsewhere(cells.membership_change_role, membership=membership, role=Role.OBSERVER)
    expect(page.locator("[data-role-banner]")).to_contain_text(words["now_observer"], timeout=LIVE)
    expect(page.locator("#claim-add-region details")).to_have_count(0, timeout=LIVE)
    expect(page.locator("form.log-form")).to_have_count(0, timeout=LIVE)  # nothing typed in it: it goes
    expect(page.locator("#transitions details.transition")).to_have_count(0, timeout=LIVE)
    # An observer still chats.
    expect(page.locator("form.chat-form")).to_have_count(1)
    shoot(page, "observer-live", language, "[data-role-banner]")
    assert not_reloaded(page)
    context.close()


def test_offline_chat_is_kept_then_sent_on_reconnect_or_clearly_refused(browser, asgi_server, users, cell, incident):
    context, page = open_as(browser, asgi_server.url, users["member"], incident)
    chat = page.locator("form.chat-form")
    count_socket_openings(page)

    context.set_offline(True)
    page.evaluate("window.crisiscellLive.drop()")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "offline", timeout=LIVE)
    chat.locator("textarea[name=chat-text]").fill("Press call moved to 15:00")
    chat.locator("[type=submit]").click()
    feedback = page.locator("form.chat-form [data-form-feedback]")
    expect(feedback).to_have_text(WORDS["en"]["offline"], timeout=LIVE)
    # No reconnection attempt while the browser says it is offline (one that got through,
    # as Playwright's offline mode may let sockets do, said "live", and the chat went out
    # again to fail with "Still offline").
    page.wait_for_timeout(1500)  # twice the first back-off
    assert page.evaluate("window.__socketsOpened") == 0
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "offline")
    expect(feedback).to_have_text(WORDS["en"]["offline"])
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("Press call moved to 15:00")
    assert ChatMessage.objects.count() == 0
    shoot(page, "chat-offline", "en", "form.chat-form")

    # Back online: it reconnects and the message goes out by itself, once.
    context.set_offline(False)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=15000)
    expect(page.locator("[data-live-panel=chat]")).to_contain_text("Press call moved to 15:00", timeout=LIVE)
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("")
    assert ChatMessage.objects.filter(text="Press call moved to 15:00").count() == 1

    # Offline again; meanwhile the member is removed from the cell. On reconnection the
    # message cannot go out: the page says so clearly and keeps the text.
    context.set_offline(True)
    page.evaluate("window.crisiscellLive.drop()")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "offline", timeout=LIVE)
    page.locator("form.chat-form textarea[name=chat-text]").fill("Second thought: 16:00")
    page.locator("form.chat-form [type=submit]").click()
    expect(page.locator("form.chat-form [data-form-feedback]")).to_have_text(WORDS["en"]["offline"], timeout=LIVE)
    elsewhere(cells.membership_remove, membership=Membership.objects.get(user=users["member"], cell=cell))
    context.set_offline(False)
    expect(page.locator("form.chat-form")).to_contain_text(WORDS["en"]["gone"], timeout=15000)
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("Second thought: 16:00")
    assert ChatMessage.objects.filter(text__startswith="Second thought").count() == 0
    shoot(page, "chat-refused", "en", "form.chat-form")
    context.close()


def test_offline_chat_in_french_on_a_phone(browser, asgi_server, users, incident):
    context, page = open_as(browser, asgi_server.url, users["member"], incident, language="fr")
    page.set_viewport_size(PHONE)  # the whole scene at 390 px
    context.set_offline(True)
    page.evaluate("window.crisiscellLive.drop()")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "offline", timeout=LIVE)
    page.locator("form.chat-form textarea[name=chat-text]").fill("Point presse déplacé à 15 h")
    page.locator("form.chat-form [type=submit]").click()
    expect(page.locator("form.chat-form [data-form-feedback]")).to_have_text(WORDS["fr"]["offline"], timeout=LIVE)
    shoot(page, "chat-offline", "fr", "form.chat-form")
    context.set_offline(False)
    expect(page.locator("[data-live-panel=chat]")).to_contain_text("Point presse déplacé à 15 h", timeout=15000)
    context.close()


def test_the_connection_label_follows_the_socket_back_after_a_short_drop(browser, asgi_server, users, incident):
    """The 12-second "Offline": the socket survived a short drop and kept delivering,
    the label did not come back. Now a message, or the answer to a ping sent when the
    browser is back online, says "Live" again at once."""
    context, page = open_as(browser, asgi_server.url, users["member"], incident)
    status = page.locator("[data-live-status]")
    context.set_offline(True)
    page.wait_for_timeout(300)
    context.set_offline(False)
    expect(status).to_have_attribute("data-state", "live", timeout=3000)
    expect(status).to_have_text("Live")
    elsewhere(services.log_entry_add, actor=users["manager"], incident=incident, text="Legal is on it")
    expect(page.locator("[data-live-panel=log]")).to_contain_text("Legal is on it", timeout=LIVE)
    expect(status).to_have_attribute("data-state", "live")
    assert not_reloaded(page)
    context.close()


def test_a_refused_level_change_does_not_stay_repostable_and_a_stale_banner_says_so(
    browser, asgi_server, users, incident
):
    base = asgi_server.url
    context, page = open_as(browser, base, users["manager"], incident)
    workspace = f"{base}/incidents/{incident.pk}/"

    # The manager starts to escalate; meanwhile someone else moves the level. The panel is
    # morphed around the manager's form: still open, the text and the cursor in it, and it
    # still says what the manager saw (the level it was), so that the server can refuse it.
    page.locator("summary[data-to='crisis']").first.click()
    form = page.locator("details.transition[open] form")
    form.locator("textarea[name=reason]").fill("National press")
    elsewhere(services.incident_transition, actor=users["member"], incident=incident, to_level="alert", reason="Spike")
    expect(page.locator("ol.level-track")).to_have_attribute("data-level", "alert", timeout=LIVE)
    expect(page.locator("#transitions summary[data-to='alert']")).to_have_count(0, timeout=LIVE)  # the panel moved on
    expect(form.locator("textarea[name=reason]")).to_have_value("National press")
    expect(form.locator("textarea[name=reason]")).to_be_focused()
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    expect(page.locator(".flash-error")).to_contain_text("Someone changed the level meanwhile")
    # The refused answer took the workspace's address: a reload is a plain GET.
    assert page.url == workspace
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.reload()
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE)
    assert posts == []
    assert Incident.objects.get(pk=incident.pk).level == "alert"

    # A success banner, then someone else's change makes it false: it says so.
    page.locator("summary[data-to='crisis']").first.click()
    form = page.locator("details.transition[open] form")
    form.locator("textarea[name=reason]").fill("National press")
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    banner = page.locator(".flash li", has_text="Level changed to Crisis")
    expect(banner).to_be_visible()
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE)
    elsewhere(
        services.incident_transition, actor=users["admin"], incident=incident, to_level="recovery", reason="Calmer"
    )
    stale = page.locator(".flash li[data-stale]")
    expect(stale).to_contain_text("Out of date: someone else has changed this since.", timeout=LIVE)
    expect(page.locator(".flash")).not_to_contain_text("Level changed to Crisis")
    expect(page.locator("ol.level-track")).to_have_attribute("data-level", "recovery", timeout=LIVE)
    shoot(page, "stale-banner", "en", ".flash")
    context.close()


def test_half_typed_text_survives_a_reload_and_is_forgotten_once_sent(browser, asgi_server, users, incident):
    context, page = open_as(browser, asgi_server.url, users["member"], incident)
    page.locator("form.log-form textarea[name=text]").press_sequentially("Call centre: 40 calls")
    page.locator("form.chat-form textarea[name=chat-text]").press_sequentially("@mona see log")
    page.wait_for_timeout(600)  # the draft is saved a moment after the last key
    page.reload()
    expect(page.locator("form.log-form textarea[name=text]")).to_have_value("Call centre: 40 calls")
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("@mona see log")
    expect(page.locator("form.log-form [data-draft-note]")).to_contain_text("Your unsent text is back.")
    shoot(page, "draft-back", "en", "form.log-form")

    page.locator("form.log-form [type=submit]").click()
    expect(page.locator("[data-live-panel=log]")).to_contain_text("Call centre: 40 calls", timeout=LIVE)
    page.reload()
    expect(page.locator("form.log-form textarea[name=text]")).to_have_value("")
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("@mona see log")  # not sent yet

    # "Discard it" forgets a draft for good.
    page.locator("form.chat-form [data-draft-note] button").click()
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("")
    page.reload()
    expect(page.locator("form.chat-form textarea[name=chat-text]")).to_have_value("")
    context.close()


def test_leaving_a_changed_statement_draft_asks_first_and_its_text_survives(browser, asgi_server, users, incident):
    base = asgi_server.url
    context, page = open_as(browser, base, users["member"], incident)
    page.goto(f"{base}/incidents/{incident.pk}/statements/new/")
    # No pause after the last key: leaving the page saves what is typed (drafts.js, pagehide).
    page.locator("textarea[name=text]").press_sequentially("We are aware of the video and checking.")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.locator("main a", has_text="Cancel").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url.endswith("/statements/new/")
    page.remove_listener("dialog", answer)
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(page.locator("textarea[name=text]")).to_have_value("We are aware of the video and checking.")
    # Saved: the next page's banner tells the browser to forget it.
    page.locator("input[name=title]").fill("Holding statement")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".flash li[data-clear-draft]")).to_be_visible()
    # The banner is painted before the page's scripts have run (the deferred scripts wait for
    # the catalogue): the draft is forgotten by then only once the page has loaded. A person
    # is not that fast; a test that leaves at once found the draft still kept (CI, main).
    page.wait_for_load_state("load")
    page.goto(f"{base}/incidents/{incident.pk}/statements/new/")
    expect(page.locator("textarea[name=text]")).to_have_value("")
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_going_back_and_sending_a_new_incident_again_asks_first(browser, asgi_server, users, incident, language):
    base = asgi_server.url
    context, page = open_as(browser, base, users["member"], incident, language=language)
    page.goto(f"{base}/incidents/new/")
    page.locator("input[name=title]").fill("Fake recall notice on Facebook")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert Incident.objects.filter(title="Fake recall notice on Facebook").count() == 1
    page.go_back()
    expect(page.locator("input[name=title]")).to_have_value("Fake recall notice on Facebook")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    warning = page.locator("#duplicate-warning")
    expect(warning).to_have_attribute("role", "alert")
    expect(warning.locator("a")).to_have_attribute("href", re.compile(r"/incidents/\d+/$"))
    assert Incident.objects.filter(title="Fake recall notice on Facebook").count() == 1
    shoot(page, "duplicate", language, "#duplicate-warning")
    # Another incident after all: ticked, it opens.
    warning.locator("input[name=confirm_duplicate]").check()
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert Incident.objects.filter(title="Fake recall notice on Facebook").count() == 2
    context.close()
