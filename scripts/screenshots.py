"""Screenshots of every page, in French and English, to look at them.

Not a test: it starts the app on a scratch SQLite database with the demo data,
walks the pages as the demo users with Chromium, and writes PNGs to
./screenshots/ (git-ignored). Console errors (a CSP violation, a failed
script) are printed, since a screenshot does not show them.

    .venv/bin/python scripts/screenshots.py [--port 8123] [--only detail]
"""

# A developer tool driving its own subprocesses on a scratch database in /tmp.
# ruff: noqa: S105, S108, S603

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
DB = Path("/tmp/ui-shots.sqlite3")
PASSWORD = "crisiscell-demo"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {
    "1366": {"width": 1366, "height": 768},
    "1440": {"width": 1440, "height": 900},
    # A phone (issue 9): nothing may be wider than the screen.
    "390": {"width": 390, "height": 844},
}


def run_env() -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{DB}",
        CELERY_TASK_ALWAYS_EAGER="1",
        CELERY_BROKER_DIR="/tmp/ui-shots-broker",
        EMAIL_URL="dummymail://",
        AXES_FAILURE_LIMIT="1000",
    )
    return env


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=run_env(), check=True)


def start_server(port: int) -> subprocess.Popen:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    manage("migrate", "--verbosity", "0")
    manage("load_demo")
    server = subprocess.Popen(
        # The ASGI server the app runs on: runserver (WSGI here) has no WebSockets, so no live workspace.
        [sys.executable, "-m", "uvicorn", "crisiscell.asgi:application", "--port", str(port), "--lifespan", "off"],
        cwd=ROOT,
        env=run_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _attempt in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


class Shooter:
    def __init__(self, browser, base: str, only: str | None):
        self.browser = browser
        self.base = base
        self.only = only
        self.problems: list[str] = []

    def context(self, viewport: str, lang: str):
        ctx = self.browser.new_context(viewport=VIEWPORTS[viewport], locale=lang)
        page = ctx.new_page()
        page.on("console", self.on_console)
        page.on("response", self.on_response)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        return ctx, page

    def on_console(self, msg) -> None:
        # Error pages are shot on purpose; a failed script or stylesheet shows up in on_response.
        if msg.type in ("error", "warning") and not msg.text.startswith("Failed to load resource"):
            self.problems.append(msg.text)

    def on_response(self, response) -> None:
        # 422: a refused HTMX form, swapped in with its errors on purpose.
        if response.request.resource_type != "document" and response.status >= 400 and response.status != 422:
            self.problems.append(f"{response.status} {response.url}")

    def login(self, page, username: str, lang: str) -> None:
        page.goto(f"{self.base}/login/")
        with page.expect_navigation():
            page.click(f".lang-switch button[value={lang}]")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{self.base}/")

    def shot(self, page, name: str, lang: str, viewport: str) -> None:
        if self.only and self.only not in name:
            return
        path = OUT / f"{name}.{lang}.{viewport}.png"
        page.wait_for_load_state("networkidle")
        # 1366x768 and 390 (a phone): the whole page; 1440x900: what is visible without scrolling.
        page.screenshot(path=str(path), full_page=viewport in ("1366", "390"))
        wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wider > 0:
            self.problems.append(f"{name}.{lang}.{viewport}: the page is {wider} px wider than the screen")
        print("wrote", path.relative_to(ROOT))


def prepare(shooter: Shooter) -> None:
    """Actions that make the pages interesting: they also check that the UI flows work."""
    ctx, page = shooter.context("1366", "en")
    shooter.login(page, "manager", "en")
    page.click("text=Rumeur : allergènes")
    # Escalate to crisis through the form.
    page.click("summary[data-to=crisis]")
    page.fill("#transition-crisis-reason", "Reprise par un média national ; volume x20.")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".flash-success")
    # A log entry through HTMX, then a correction of it.
    page.fill("#id_text", "Communiqué d'attente publié sur X et Instagram à 14 h 10.")
    page.select_option("#id_category", "communication")
    page.click(".log-form button[type=submit]")
    page.wait_for_selector(".log-entry >> text=Communiqué d'attente publié")
    page.click(".log-entry:has-text('Communiqué d') .correct-link")
    page.fill("#id_text", "Heure exacte de publication : 14 h 25, pas 14 h 10.")
    page.click(".log-form button[type=submit]")
    page.wait_for_selector(".log-entry.kind-correction")
    # An edit, for an "edited" entry with translated field names.
    page.click("a.button >> text=Edit")
    page.select_option("#id_severity", "1")
    page.check("#id_is_exercise")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".level-track")
    # The list filters swap the rows through HTMX and push the URL.
    page.goto(f"{shooter.base}/")
    page.check("input[name=level][value=watch]")
    page.wait_for_url("**/?*level=watch*")
    page.wait_for_function("document.querySelectorAll('#incident-rows tbody tr').length === 1")
    page.fill("input[name=q]", "no such incident")
    page.wait_for_selector("#incident-rows .empty-state")
    # An expired session: the HTMX log form sends the user to the login page, not into the panel.
    page.goto(f"{shooter.base}/")
    page.click("text=Retard de livraisons")
    ctx.clear_cookies(name="sessionid")
    page.fill("#id_text", "Written after the session expired")
    page.click(".log-form button[type=submit]")
    page.wait_for_url(lambda url: "/login/?next=" in url)
    ctx.close()
    prepare_comms(shooter)


def prepare_comms(shooter: Shooter) -> None:
    """Facts, claims and statements through the UI: HTMX add forms, a submission, a retraction."""
    ctx, page = shooter.context("1366", "en")
    shooter.login(page, "member2", "en")
    page.click("text=Rumeur : allergènes")
    # A claim and a fact through the HTMX forms above their panels.
    page.click("#claim-add summary")
    page.fill("#claim-add textarea[name=claim-text]", "<script>alert('Hydra+')</script> rend aveugle, selon un forum.")
    page.fill("#claim-add input[name=claim-where]", "Forum Doctissimo")
    page.fill("#claim-add input[name=claim-estimated_reach]", "1500")
    page.click("#claim-add button[type=submit]")
    page.wait_for_selector("#claims-live .item >> text=rend aveugle")
    page.click("#fact-add summary")
    page.fill("#fact-add textarea[name=fact-text]", "Aucun signalement de pharmacovigilance sur Hydra+ depuis 2023.")
    page.fill("#fact-add input[name=fact-source_reference]", "Pharmacovigilance interne")
    page.select_option("#fact-add select[name=fact-source_kind]", "department")
    page.click("#fact-add button[type=submit]")
    page.wait_for_selector("#facts-live .item >> text=pharmacovigilance")
    # The answer template goes to review.
    page.click("#statements-live a >> text=Réponse type")
    page.click("button[data-action=submit]")
    page.wait_for_selector(".flash-success")
    # The lab fact turns out wrong: retracting it flags the published holding statement.
    page.goto(f"{shooter.base}/")
    page.click("text=Rumeur : allergènes")
    page.click("#facts-live .item:has(.st-verified) .item-ref")
    page.click("summary:has-text('Retract')")
    page.fill("#retract-reason", "Second test: trace of linalool found in batch 24-117.")
    page.click("button[data-action=retract]")
    page.wait_for_selector(".flash-success")
    ctx.close()


def shoot_all(shooter: Shooter) -> None:
    for lang in ("fr", "en"):
        for viewport in VIEWPORTS:
            ctx, page = shooter.context(viewport, lang)
            page.goto(f"{shooter.base}/login/")
            with page.expect_navigation():
                page.click(f".lang-switch button[value={lang}]")
            shooter.shot(page, "login", lang, viewport)
            page.fill("#id_username", "manager")
            page.fill("#id_password", "wrong password")
            page.click("button[type=submit].primary")
            shooter.shot(page, "login-error", lang, viewport)
            shooter.login(page, "manager", lang)
            shooter.shot(page, "list", lang, viewport)
            page.goto(f"{shooter.base}/?level=crisis&level=alert")
            shooter.shot(page, "list-filtered", lang, viewport)
            page.goto(f"{shooter.base}/?q=nothing-matches-this")
            shooter.shot(page, "list-empty", lang, viewport)
            page.goto(f"{shooter.base}/incidents/new/")
            shooter.shot(page, "create", lang, viewport)
            page.click("button[type=submit].primary")
            shooter.shot(page, "create-errors", lang, viewport)
            page.goto(f"{shooter.base}/")
            page.click("text=Rumeur : allergènes")
            detail_url = page.url
            shooter.shot(page, "detail", lang, viewport)
            page.click("summary[data-to=recovery]")
            shooter.shot(page, "detail-transition-open", lang, viewport)
            page.click("details[open] button[type=submit]")  # no reason: the browser blocks it
            page.evaluate("document.querySelector('details[open] textarea').removeAttribute('required')")
            page.click("details[open] button[type=submit]")
            shooter.shot(page, "detail-transition-error", lang, viewport)
            page.goto(detail_url)
            page.click(".correct-link >> nth=0")
            shooter.shot(page, "detail-correcting", lang, viewport)
            page.goto(f"{detail_url}edit/")
            shooter.shot(page, "edit", lang, viewport)
            page.goto(f"{detail_url}search/?q=Hydra")
            shooter.shot(page, "search", lang, viewport)
            page.goto(f"{detail_url}statements/new/?brief=1")
            shooter.shot(page, "statement-stakeholder-update", lang, viewport)
            page.goto(f"{shooter.base}/api/docs/")
            shooter.shot(page, "api-docs", lang, viewport)
            shoot_comms(shooter, page, detail_url, lang, viewport)
            page.goto(f"{shooter.base}/")
            page.click("text=Retard de livraisons")
            shooter.shot(page, "detail-watch", lang, viewport)
            page.click("summary[data-to=closed]")
            shooter.shot(page, "detail-close-checklist", lang, viewport)
            page.click(".mainnav >> text=/Members|Membres/")
            shooter.shot(page, "members-manager", lang, viewport)
            page.goto(f"{shooter.base}/account/")
            shooter.shot(page, "preferences", lang, viewport)
            ctx.close()

            ctx, page = shooter.context(viewport, lang)
            shooter.login(page, "admin", lang)
            page.click(".mainnav >> text=/Members|Membres/")
            shooter.shot(page, "members-admin", lang, viewport)
            page.goto(f"{shooter.base}/cells/{cell_id(page)}/communication/")
            shooter.shot(page, "comms-settings-admin", lang, viewport)
            page.fill("#id_crisis_minutes", "0")
            page.evaluate("document.querySelector('main form').noValidate = true")
            page.click("button[type=submit].primary")
            shooter.shot(page, "comms-settings-error", lang, viewport)
            page.go_back()
            page.click(".mainnav >> text=/Members|Membres/")
            page.fill("#id_username", "nobody-by-that-name")
            page.click(".add-member button[type=submit]")
            shooter.shot(page, "members-admin-error", lang, viewport)
            shoot_areas(shooter, page, lang, viewport)
            ctx.close()

            ctx, page = shooter.context(viewport, lang)
            shooter.login(page, "observer", lang)
            page.click("text=Rumeur : allergènes")
            shooter.shot(page, "detail-observer", lang, viewport)
            ctx.close()


def shoot_areas(shooter: Shooter, page, lang: str, viewport: str) -> None:
    """The pages of the later areas, as the cell's admin: monitoring, the response queue,
    relays, playbooks, tasks and drills (the demo fills each)."""
    cell = cell_id(page)
    page.goto(f"{shooter.base}/")
    page.click("text=Rumeur : allergènes")
    incident = page.url.rstrip("/").rsplit("/", 1)[-1]
    pages = {
        "monitoring": f"/cells/{cell}/monitoring/",
        "monitoring-mentions": f"/cells/{cell}/monitoring/mentions/?q=Hydra",
        "monitoring-import": f"/cells/{cell}/monitoring/imports/new/",
        "monitoring-incident": f"/incidents/{incident}/monitoring/",
        "queue": f"/incidents/{incident}/queue/",
        "queue-settings": f"/cells/{cell}/queue-settings/",
        "relays": f"/cells/{cell}/relays/",
        "playbooks": f"/cells/{cell}/playbooks/",
        "my-tasks": "/tasks/",
        "drills": f"/cells/{cell}/drills/",
    }
    for name, path in pages.items():
        page.goto(f"{shooter.base}{path}")
        shooter.shot(page, name, lang, viewport)
    page.goto(f"{shooter.base}/cells/{cell}/monitoring/")
    alert = page.locator("a[href*='/monitoring/alerts/']")
    if alert.count():
        alert.first.click()
        shooter.shot(page, "monitoring-alert", lang, viewport)
    page.goto(f"{shooter.base}/incidents/{incident}/queue/")
    item = page.locator("a[href*='/queue/'][href$='/']:not([href$='/queue/']):not([href$='/flag/'])")
    if item.count():
        item.first.click()
        shooter.shot(page, "queue-item", lang, viewport)
    page.goto(f"{shooter.base}/cells/{cell}/relays/")
    relay = page.locator("a[href*='/relays/']:not([href$='/relays/']):not([href*='/lists/'])")
    if relay.count():
        relay.first.click()
        shooter.shot(page, "relay", lang, viewport)


def cell_id(page) -> str:
    return page.locator("#cell-select").input_value()


def shoot_comms(shooter: Shooter, page, detail_url: str, lang: str, viewport: str) -> None:
    """The pages of issue 3, as the manager: fact, claim, statement (with diff), forms, notifications."""
    page.goto(detail_url)
    page.click("#facts-live .item:has(.st-retracted) .item-ref")
    shooter.shot(page, "fact", lang, viewport)
    page.goto(detail_url)
    page.click("#claims-live .item-ref >> nth=0")
    shooter.shot(page, "claim", lang, viewport)
    page.click(".move-form button[data-to=debunked]")
    shooter.shot(page, "claim-debunk-refused", lang, viewport)
    page.goto(detail_url)
    page.click("#statements-live .item.flagged .item-title a")
    shooter.shot(page, "statement-flagged", lang, viewport)
    page.goto(detail_url)
    page.click("#statements-live .item-title a >> text=Réponse type")
    shooter.shot(page, "statement-in-review", lang, viewport)
    page.click("button[data-action=approve]")
    shooter.shot(page, "statement-approve-refused", lang, viewport)
    page.goto(detail_url)
    page.click("#statements .panel-add a")
    shooter.shot(page, "statement-new", lang, viewport)
    page.evaluate("document.querySelectorAll('main [required]').forEach(e => e.removeAttribute('required'))")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".form-errors")
    shooter.shot(page, "statement-new-errors", lang, viewport)
    page.goto(detail_url)
    page.click("#fact-add summary")
    page.click("#fact-add button[type=submit]")  # empty: the browser refuses it
    page.evaluate("document.querySelectorAll('#fact-add [required]').forEach(e => e.removeAttribute('required'))")
    page.click("#fact-add button[type=submit]")
    page.wait_for_selector("#fact-add .errorlist")
    shooter.shot(page, "detail-fact-errors", lang, viewport)
    page.click(".notif-link")
    shooter.shot(page, "notifications", lang, viewport)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--only", help="only screenshots whose name contains this")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    server = start_server(args.port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
            shooter = Shooter(browser, f"http://127.0.0.1:{args.port}", args.only)
            prepare(shooter)
            shoot_all(shooter)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    problems = sorted(set(shooter.problems))
    for problem in problems:
        print("BROWSER:", problem)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
