"""Token authentication: POST /api/v1/auth/token/ -> {"token"}, throttled, with django-axes lock-out."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


# Throttle history lives in the cache, which outlives each test's transaction:
# tests/conftest.py gives each test a cache key prefix of its own.


def post(data, client=None, **kwargs):
    return (client or APIClient()).post(URL, data, format="json", **kwargs)


def test_token_for_good_credentials(manager, password):
    response = post({"username": "mona", "password": password})
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=manager).key}
    # The same token the next time.
    assert post({"username": "mona", "password": password}).json()["token"] == response.json()["token"]


def test_form_encoded_credentials_work_too(manager, password):
    response = APIClient().post(URL, {"username": "mona", "password": password}, format="multipart")
    assert response.status_code == 200


def test_token_authenticates_api_requests(manager, password, incident):
    token = post({"username": "mona", "password": password}).json()["token"]
    client = APIClient()
    assert client.get("/api/v1/incidents/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/incidents/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [incident.pk]


def test_bad_token_is_401(incident):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/incidents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "mona", "password": "wrong"}, "non_field_errors"),
        ({"username": "nobody", "password": "wrong"}, "non_field_errors"),
        ({"username": "mona"}, "password"),
        ({"password": "x"}, "username"),
        ({}, "username"),
        ({"username": "", "password": ""}, "username"),
    ],
)
def test_bad_credentials_are_400(users, data, field):
    response = post(data)
    assert response.status_code == 400
    assert field in response.json()
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(manager, password):
    manager.is_active = False
    manager.save()
    assert post({"username": "mona", "password": password}).status_code == 400


@pytest.mark.parametrize("body", ["[1, 2]", "{not json", '"a string"'])
def test_malformed_body_is_400(users, body):
    response = APIClient().post(URL, body, content_type="application/json")
    assert response.status_code == 400


def test_csrf_is_not_required(manager, password):
    """API clients have no CSRF cookie: the token endpoint must not ask for one."""
    client = APIClient(enforce_csrf_checks=True)
    assert post({"username": "mona", "password": password}, client=client).status_code == 200


def test_get_is_not_allowed(users):
    assert APIClient().get(URL).status_code == 405


def test_throttle(users, password, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    statuses = [post({"username": "mona", "password": "wrong"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 400]
    throttled = post({"username": "mona", "password": password})
    assert throttled.status_code == 429
    assert "detail" in throttled.json()
    assert not Token.objects.exists()


def test_axes_locks_out_after_repeated_failures(users, password, settings):
    """django-axes sees the token endpoint's failures and locks the account out: even the right password fails."""
    settings.AXES_FAILURE_LIMIT = 3
    assert post({"username": "mona", "password": "wrong-1"}).status_code == 400
    assert post({"username": "mona", "password": "wrong-2"}).status_code == 400
    # The third failure reaches the limit.
    locked = post({"username": "mona", "password": "wrong-3"})
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["detail"]
    right = post({"username": "mona", "password": password})
    assert right.status_code == 429
    assert not Token.objects.exists()
    # Someone else, from the same address, is not locked out (lock-out by username and address).
    assert post({"username": "max", "password": password}).status_code == 200


def test_axes_failures_are_recorded(users):
    from axes.models import AccessAttempt

    post({"username": "mona", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="mona")
    assert attempt.failures_since_start == 1
    assert attempt.path_info == URL


def test_success_resets_the_failure_count(users, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    post({"username": "mona", "password": "wrong-1"})
    post({"username": "mona", "password": "wrong-2"})
    assert post({"username": "mona", "password": password}).status_code == 200
    # AXES_RESET_ON_SUCCESS: two more failures do not lock out yet.
    assert post({"username": "mona", "password": "wrong-3"}).status_code == 400
    assert post({"username": "mona", "password": "wrong-4"}).status_code == 400
    assert post({"username": "mona", "password": password}).status_code == 200


def test_session_auth_works_for_the_browser(client, manager, incident):
    client.force_login(manager)
    assert client.get("/api/v1/incidents/").status_code == 200
