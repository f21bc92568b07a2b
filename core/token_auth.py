"""Token authentication of the API, under the lockout (core/lockout.py).

Imported by DRF's settings (DEFAULT_AUTHENTICATION_CLASSES): keep views out of it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import APIException, AuthenticationFailed

from core.lockout import address_locked, record_address_failure, request_address


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed logins for this account or from your address: try again later.")
    default_code = "locked_out"


class LockoutTokenAuthentication(TokenAuthentication):
    """`Authorization: Token ...`, under the per-address lockout (core/lockout.py).

    A wrong token counts as a failed login for the client's address; a locked-out
    address gets 429 even with a good token. A username's lockout does not block
    its tokens: anyone can lock a username out by guessing, and that must not cut
    the cell's integrations off in the middle of a crisis.
    """

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith(self.keyword.lower()):
            return None
        address = request_address(request)
        if address_locked(address):
            raise LockedOut()
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            record_address_failure(address)
            raise
