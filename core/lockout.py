"""One lockout for every way in: login page, admin login, API token endpoint, API and WebSocket tokens.

Two counters, both shared by every server process:
- per username, whatever the address: django-axes (AXES_LOCKOUT_PARAMETERS =
  ["username"]), in the database, reset by a successful login;
- per client address, whatever the username: here, in the cache (Redis when
  REDIS_URL is set), with its own, higher limit (a whole office may share one
  address). Every failed password and every wrong token counts; a success does
  not reset it (one valid account must not launder a password spray).

The address is the real client (core.client_ip): a forged X-Forwarded-For
changes nothing. A locked-out address gets the same answer as a locked-out
username: axes' 429 page, the API's JSON 429, a refused socket.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


def _key(address: str) -> str:
    return f"lockout:ip:{address}"


def address_failures(address: str) -> int:
    return int(cache.get(_key(address)) or 0) if address else 0


def address_locked(address: str) -> bool:
    return address_failures(address) >= settings.LOGIN_IP_FAILURE_LIMIT


def address_locked_and_get(address: str, keys: list[str]) -> tuple[bool, dict]:
    """address_locked(), and cache.get_many(keys) in the same round trip to the cache
    (the API's token authentication reads its cached token there: one trip, not two)."""
    lock_key = _key(address) if address else None
    found = cache.get_many([lock_key, *keys] if lock_key else keys)
    failures = int(found.pop(lock_key, 0) or 0) if lock_key else 0
    return failures >= settings.LOGIN_IP_FAILURE_LIMIT, found


def record_address_failure(address: str) -> int:
    if not address:
        return 0
    key = _key(address)
    # The first failure opens the window (the cool-off); later ones only count.
    cache.add(key, 0, timeout=settings.LOGIN_IP_COOLOFF_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_IP_COOLOFF_SECONDS)
        return 1


def request_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


@receiver(user_login_failed, dispatch_uid="core.lockout.count_address_failure")
def _count_password_failure(sender, credentials, request=None, **kwargs):
    record_address_failure(request_address(request))


class AddressLockoutBackend:
    """First in AUTHENTICATION_BACKENDS: a locked-out address authenticates no one.

    Raising PermissionDenied stops authenticate() at once (no password is checked);
    the request is flagged the way django-axes flags its own lockouts, so that its
    middleware answers 429 and the token endpoint its JSON 429.
    """

    def authenticate(self, request, **credentials):
        if request is not None and address_locked(request_address(request)):
            request.axes_locked_out = True
            raise PermissionDenied("Too many failed logins from this address.")
        return None

    # No get_user(): this backend never logs anyone in, so a session never names it.


class LockedOut(APIException):
    """The API's answer to a locked-out address or username (token endpoint, token authentication)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed logins for this account or from your address: try again later.")
    default_code = "locked_out"
