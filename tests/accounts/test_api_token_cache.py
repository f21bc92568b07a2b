"""An API token's user is cached (issue 12), and nothing that should stop or limit it is delayed.

The cache saves the token's query on every API request; these tests make sure a
revoked token, a deactivated or deleted user, a changed role or a locked-out
address take effect on the very next request, and that a request which read the
user before a change cannot put the old state back.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import api_tokens, services
from cells import services as cell_services
from cells.models import Membership, Role
from core import lockout

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.21"


def client_for(token: Token) -> APIClient:
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def token_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, sum('"authtoken_token"' in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def token(member):
    return Token.objects.create(user=member)


def test_a_known_token_costs_no_query_after_its_first_request(token, incident):
    client = client_for(token)
    assert token_queries(client, "/api/v1/incidents/") == (200, 1)
    assert token_queries(client, "/api/v1/incidents/") == (200, 0)
    assert token_queries(client, f"/api/v1/incidents/{incident.pk}/log/") == (200, 0)


def test_the_cache_holds_a_digest_of_the_token_and_no_password_hash(token, member):
    client_for(token).get("/api/v1/incidents/")
    from django.core.cache import cache

    value = cache.get(api_tokens.cache_key(token.key))
    assert value is not None
    assert token.key not in api_tokens.cache_key(token.key)
    assert "password" not in value[0] and member.password not in value[1]
    # The rebuilt user loads its password only if asked (authentication never asks).
    assert api_tokens.user_from_cache(value).check_password("not it") is False


def test_a_deleted_token_stops_working_at_once(token):
    client = client_for(token)
    assert client.get("/api/v1/incidents/").status_code == 200
    token.delete()
    assert client.get("/api/v1/incidents/").status_code == 401


def test_a_deactivated_user_is_refused_at_once(token, member):
    client = client_for(token)
    assert client.get("/api/v1/incidents/").status_code == 200
    services.user_deactivate(user=member)  # an update(): no post_save
    assert client.get("/api/v1/incidents/").status_code == 401


def test_a_user_saved_inactive_is_refused_at_once(token, member):
    """As the admin's change form does (save(), not the service)."""
    client = client_for(token)
    assert client.get("/api/v1/incidents/").status_code == 200
    member.is_active = False
    member.save()
    assert client.get("/api/v1/incidents/").status_code == 401


def test_a_deleted_user_is_refused_at_once(token, member):
    client = client_for(token)
    assert client.get("/api/v1/incidents/").status_code == 200
    member.delete()
    assert client.get("/api/v1/incidents/").status_code == 401


def test_a_lower_role_applies_to_the_next_request(token, member, incident):
    """Roles are not cached: the membership is read with the incident at every request."""
    client = client_for(token)
    url = f"/api/v1/incidents/{incident.pk}/log/"
    assert client.post(url, {"text": "Point de situation"}, format="json").status_code == 201
    membership = Membership.objects.get(user=member, cell=incident.cell)
    cell_services.membership_change_role(membership=membership, role=Role.OBSERVER)
    assert client.post(url, {"text": "Encore un"}, format="json").status_code == 403
    cell_services.membership_remove(membership=membership)
    assert client.get(url).status_code == 404


def test_a_locked_out_address_is_refused_even_with_a_cached_token(token, settings):
    client = client_for(token)
    assert client.get("/api/v1/incidents/").status_code == 200
    for _ in range(settings.LOGIN_IP_FAILURE_LIMIT):
        lockout.record_address_failure(ADDRESS)
    assert client.get("/api/v1/incidents/").status_code == 429
    # A malformed header from that address too (it used to be checked before parsing).
    client.credentials(HTTP_AUTHORIZATION="Token")
    assert client.get("/api/v1/incidents/").status_code == 429


def test_a_wrong_token_is_never_cached_and_counts_as_a_failure(token):
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/incidents/").status_code == 401
    assert client.get("/api/v1/incidents/").status_code == 401
    assert lockout.address_failures(ADDRESS) == 2


def test_a_request_that_read_the_user_before_a_change_cannot_put_it_back(token, member):
    """The race: a request reads the token's user, the user is deactivated (forgotten),
    then that request remembers what it read. The tombstone refuses it."""
    stale = Token.objects.select_related("user").get(key=token.key).user
    services.user_deactivate(user=member)
    stale.is_active = True  # as read before the change
    api_tokens.remember(token.key, stale)
    assert client_for(token).get("/api/v1/incidents/").status_code == 401


def test_off_when_the_lifetime_is_zero(token, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    client = client_for(token)
    assert token_queries(client, "/api/v1/incidents/") == (200, 1)
    assert token_queries(client, "/api/v1/incidents/") == (200, 1)
