"""`python3 dev.py run` serves like production unless DEBUG is asked for (issue 9, moved to 10).

A real uvicorn with the environment `dev.py run` builds on a fresh machine (no
SECRET_KEY, no ALLOWED_HOSTS, no HTTPS): the app's own error pages in French and
English, no technical 404 listing the URL patterns, static files served, a login
that works over plain HTTP; and a POST-only URL opened directly gets a page.
"""

import http.cookiejar
import importlib.util
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from ..factories import PASSWORD
from .test_settings import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def dev_module():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Browser:
    """Cookies and redirects, like a browser (standard library only)."""

    def __init__(self, base: str, language: str):
        self.base = base
        self.language = language
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310 - 127.0.0.1
        request.add_header("Accept-Language", self.language)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()}

    def cookie(self, name: str):
        return next((cookie for cookie in self.jar if cookie.name == name), None)


def test_the_environment_of_dev_py_run():
    environ = {}
    dev_module().serve_like_production(environ)
    assert environ == {"DEBUG": "false", "CRISISCELL_LOCAL": "true"}
    debugging = {"DEBUG": "true"}
    dev_module().serve_like_production(debugging)
    assert debugging["DEBUG"] == "true"


@pytest.fixture
def local_server(asgi_server_factory, monkeypatch):
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "CRISISCELL_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    environ = {}
    dev_module().serve_like_production(environ)
    return asgi_server_factory(**environ)


@pytest.mark.parametrize(
    ("language", "not_found", "not_allowed", "back"),
    [
        ("fr", "Page introuvable", "Cette page ne s'ouvre pas directement", "Retour aux incidents"),
        ("en", "Not found", "This page cannot be opened directly", "Back to the incidents"),
    ],
)
def test_the_local_run_serves_the_apps_own_pages(local_server, users, incident, language, not_found, not_allowed, back):
    browser = Browser(local_server.url, language)
    status, page, _headers = browser.request("GET", "/no-such-page/")
    assert status == 404
    assert not_found in page and back in page
    assert "URLconf" not in page and "urlpatterns" not in page.lower()

    status, css, _headers = browser.request("GET", "/static/css/app.css")
    assert status == 200 and ":root" in css

    # A login over plain HTTP: the cookies are not Secure-only here, but HttpOnly for the session.
    status, page, _headers = browser.request("GET", "/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, page, _headers = browser.request(
        "POST", "/login/", {"username": "max", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert status == 200, page
    session = browser.cookie("sessionid")
    assert session is not None and not session.secure
    assert session.has_nonstandard_attr("HttpOnly")

    # A POST-only URL opened directly: a page that says so and leads back, with the Allow header.
    status, page, headers = browser.request("GET", f"/incidents/{incident.pk}/transition/")
    assert status == 405
    assert headers["allow"] == "POST"
    assert not_allowed in page and back in page
