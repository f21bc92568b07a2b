"""Issue 15 in two real browsers against uvicorn: a manager escalates a rumour to crisis, the cell is
activated, a member acknowledges from the notification and ticks a playbook task, and the manager
sees both live, without reloading."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from incidents import services as incidents
from playbooks import services
from playbooks.models import Acknowledgement, Task

from ..integration.servers import ROOT
from ..playbooks.helpers import CONTENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "screenshots"
LIVE_TIMEOUT = 8000  # ms: a shared, noisy machine


def open_as(browser, base: str, user, path: str, width: int = 1366):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    page.goto(f"{base}{path}")
    return context, page


def test_escalate_activate_acknowledge_tick_and_the_manager_sees_it_live(browser, asgi_server, users, cell):
    base = asgi_server.url
    services.playbook_save(actor=users["manager"], cell=cell, content={**CONTENT, "crisis_type": "rumour"})
    incident = incidents.incident_create(
        actor=users["member"], cell=cell, title="Rumeur de rappel Hydra+", crisis_type="rumour", severity=2
    )
    manager_context, manager = open_as(browser, base, users["manager"], f"/incidents/{incident.pk}/")
    expect(manager.locator("[data-live-status]")).to_have_attribute("data-state", "live", timeout=LIVE_TIMEOUT)
    manager.evaluate("window.__noReload = true")

    # The manager escalates to crisis from the keyboard-reachable transition form.
    manager.locator("summary[data-to='crisis']").click()
    form = manager.locator("details:has(summary[data-to='crisis']) form")
    form.locator("textarea[name=reason]").fill("Repris par la presse nationale")
    form.locator("[type=submit]").click()
    # The crisis tasks of the playbook and the activation appear on the manager's page.
    expect(manager.locator("[data-live-panel=tasks]")).to_contain_text("Réunir la cellule", timeout=LIVE_TIMEOUT)
    expect(manager.locator("[data-live-panel=activation]")).to_contain_text("0 of 5 on it", timeout=LIVE_TIMEOUT)
    manager.evaluate("window.__noReload = true")  # the escalation itself posted a form; from here, no reload

    # The member acknowledges from the notification.
    member_context, member = open_as(browser, base, users["member"], "/notifications/", width=390)
    activation_notice = member.locator("li.notification", has_text="activated")
    expect(activation_notice).to_be_visible()
    activation_notice.get_by_role("button", name="Open").click()
    expect(member.get_by_role("heading", name="The crisis cell is activated")).to_be_visible()
    member.screenshot(path=str(SCREENSHOTS / "playbooks-ack-390.png"), full_page=True)
    member.get_by_role("button", name="I'm on it").click()
    # Back on the workspace, the member ticks their playbook task.
    task = Task.objects.get(incident=incident, title="Publier le message d'attente")
    member.locator(f"#task-{task.pk} button[value=done]").click()
    expect(member.locator(f"#task-{task.pk}")).to_contain_text("Done", timeout=LIVE_TIMEOUT)

    # The manager saw both, live.
    expect(manager.locator("[data-live-panel=activation]")).to_contain_text("1 of 5 on it", timeout=LIVE_TIMEOUT)
    expect(manager.locator(f"[data-live-panel=tasks] #task-{task.pk}")).to_contain_text("Done", timeout=LIVE_TIMEOUT)
    assert manager.evaluate("window.__noReload === true")
    assert Acknowledgement.objects.get(user=users["member"], activation__incident=incident).status == "on_it"
    SCREENSHOTS.mkdir(exist_ok=True)
    manager.locator("#tasks").screenshot(path=str(SCREENSHOTS / "playbooks-checklist-live.png"))
    manager.locator("#activation").screenshot(path=str(SCREENSHOTS / "playbooks-activation-live.png"))
    member_context.close()
    manager_context.close()
