"""No Content-Security-Policy violation on the API's pages and the workspace, as production serves them (issue 10).

The DRF browsable API (inline scripts) and Swagger UI at /api/docs/ broke the CSP.
The browsable API is off without DEBUG (the API answers JSON); Swagger UI is served
from our own static files. Chromium counts every violation the pages report.
"""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def production_like_server(asgi_server_factory):
    # DEBUG off as in production, over plain HTTP on this machine (the local run's mode).
    return asgi_server_factory(DEBUG="false", CRISISCELL_LOCAL="true", SECRET_KEY=settings.SECRET_KEY)


def test_api_pages_and_the_workspace_raise_no_csp_violation(browser, production_like_server, users, incident):
    base = production_like_server.url
    client = Client()
    client.force_login(users["member"])
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations = {}
    for path in ("/api/docs/", "/api/v1/", f"/api/v1/incidents/{incident.pk}/", f"/incidents/{incident.pk}/"):
        response = page.goto(base + path)
        assert response.status < 400, (path, response.status)
        page.wait_for_load_state("networkidle")
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
        violations[path] = page.evaluate("window.__cspViolations")
    context.close()
    assert violations == {path: [] for path in violations}, violations
    assert not [text for text in console if "Content Security Policy" in text], console
