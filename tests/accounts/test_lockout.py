"""One lockout for every way in, that a forged X-Forwarded-For cannot dodge (issue 10).

Seen before: the lockout was per username *and* address, the address was read
from X-Forwarded-For, so a new header per attempt allowed unlimited guesses and
let a locked-out user straight in. Now a username is locked whatever the address,
an address whatever the usernames, and the address is the real peer unless it
is a trusted proxy.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from core import lockout
from core.client_ip import TrustedProxyMiddleware

from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/login/"
ADMIN_LOGIN_URL = "/admin/login/"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_IP_FAILURE_LIMIT = 12


def token_attempt(username, password, address="203.0.113.7", forwarded_for=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def login_attempt(username, password, url=LOGIN_URL, address="203.0.113.7", forwarded_for=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(url, {"username": username, "password": password}, **extra)


def test_a_new_forwarded_for_per_attempt_does_not_dodge_the_token_lockout(users, password):
    statuses = [token_attempt("mona", f"wrong-{n}", forwarded_for=f"198.51.100.{n}").status_code for n in range(60)]
    assert statuses[:4] == [400] * 4
    assert set(statuses[4:]) == {429}
    # The right password, with yet another forged address: still locked out.
    assert token_attempt("mona", password, forwarded_for="192.0.2.200").status_code == 429
    assert not Token.objects.exists()


def test_a_new_forwarded_for_per_attempt_does_not_dodge_the_login_page_lockout(users, password):
    statuses = [login_attempt("mona", f"wrong-{n}", forwarded_for=f"198.51.100.{n}").status_code for n in range(40)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {429}
    response = login_attempt("mona", password, forwarded_for="192.0.2.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in Client().session


def test_a_username_is_locked_whatever_the_address(users, password):
    for n in range(5):
        token_attempt("mona", "wrong", address=f"198.51.100.{n}")
    # A fresh address, the right password: locked, on every way in.
    assert token_attempt("mona", password, address="192.0.2.1").status_code == 429
    assert login_attempt("mona", password, address="192.0.2.2").status_code == 429
    # Another user is not concerned.
    assert token_attempt("max", password, address="192.0.2.3").status_code == 200


def test_an_address_is_locked_whatever_the_usernames(users, password):
    """Password spraying: one guess per username, many usernames, one address."""
    for n in range(12):
        assert token_attempt(f"someone-{n}", "123456", address="203.0.113.50").status_code == 400
    # Locked out from that address, even with a real account's right password...
    assert token_attempt("max", password, address="203.0.113.50").status_code == 429
    assert login_attempt("max", password, address="203.0.113.50").status_code == 429
    # ...but not from another address: the username is not the one being sprayed.
    assert token_attempt("max", password, address="203.0.113.51").status_code == 200
    assert lockout.address_failures("203.0.113.50") >= 12


def test_a_success_does_not_reset_the_address_count(users, password, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 4
    for n in range(3):
        token_attempt(f"someone-{n}", "x", address="203.0.113.60")
    assert token_attempt("max", password, address="203.0.113.60").status_code == 200
    token_attempt("someone-else", "x", address="203.0.113.60")
    assert token_attempt("max", password, address="203.0.113.60").status_code == 429


def test_every_way_in_shares_the_lockout(users, password, admin_user):
    # Failures on the token endpoint lock the login page and the admin login...
    for n in range(5):
        token_attempt("mona", f"wrong-{n}", address=f"198.51.100.{n}")
    assert login_attempt("mona", password).status_code == 429
    assert login_attempt("mona", password, url=ADMIN_LOGIN_URL).status_code == 429
    # ...and failures on the admin login lock the token endpoint.
    for n in range(5):
        login_attempt("admin", f"wrong-{n}", url=ADMIN_LOGIN_URL, address=f"198.51.100.{n}")
    assert token_attempt("admin", "password").status_code == 429
    assert AccessAttempt.objects.filter(username="admin").exists()


def test_wrong_api_tokens_lock_the_address_out_of_token_authentication(users, incident, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    good = Token.objects.create(user=users["member"]).key
    client = APIClient(REMOTE_ADDR="203.0.113.70")
    for n in range(3):
        client.credentials(HTTP_AUTHORIZATION=f"Token {'0' * 39}{n}")
        assert client.get("/api/v1/incidents/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    locked = client.get("/api/v1/incidents/")
    assert locked.status_code == 429
    assert locked.json()["detail"]
    # The same good token from another address works: a token is not locked by someone's guessing.
    other = APIClient(REMOTE_ADDR="203.0.113.71")
    other.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert other.get("/api/v1/incidents/").status_code == 200


def test_the_token_throttle_ignores_a_client_sent_forwarded_for(users, password, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    statuses = [token_attempt("max", "wrong", forwarded_for=f"198.51.100.{n}").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(users, password, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for n in range(3):
        token_attempt(f"someone-{n}", "x", address="10.0.0.2", forwarded_for="1.2.3.4, 203.0.113.80")
    # The proxy's clients are told apart: 203.0.113.80 is locked, 203.0.113.81 is not.
    assert lockout.address_failures("203.0.113.80") == 3
    assert lockout.address_failures("10.0.0.2") == 0
    assert token_attempt("max", password, address="10.0.0.2", forwarded_for="203.0.113.80").status_code == 429
    assert token_attempt("max", password, address="10.0.0.2", forwarded_for="203.0.113.81").status_code == 200


def test_forwarded_headers_of_an_untrusted_client_are_dropped(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = {}

    def view(request):
        seen.update(request.META)

    middleware = TrustedProxyMiddleware(view)
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.1.1", HTTP_X_FORWARDED_PROTO="https"
    )
    middleware(request)
    assert seen["REMOTE_ADDR"] == "203.0.113.9"
    assert "HTTP_X_FORWARDED_FOR" not in seen and "HTTP_X_FORWARDED_PROTO" not in seen
    assert not request.is_secure()


def test_the_counts_live_in_a_cache_every_process_shares(settings):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend != "django.core.cache.backends.locmem.LocMemCache"
    if settings.REDIS_URL:
        assert backend == "core.cache.ReusingRedisCache"  # Django's RedisCache, one client per pool
