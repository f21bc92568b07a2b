"""Token authentication of the API, under the lockout (core/lockout.py).

Imported by DRF's settings (DEFAULT_AUTHENTICATION_CLASSES): keep views out of it.
"""

from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts import api_tokens
from core.lockout import LockedOut, address_locked, address_locked_and_get, record_address_failure, request_address


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
        self.address = request_address(request)
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            # A malformed header: still 429 for a locked-out address, and a failure otherwise.
            if address_locked(self.address):
                raise LockedOut() from None
            record_address_failure(self.address)
            raise

    def authenticate_credentials(self, key):
        # The lockout's counter and the cached token in one cache round trip; a known
        # token then costs no query (accounts/api_tokens.py says when it is forgotten).
        token_key = api_tokens.cache_key(key)
        locked, found = address_locked_and_get(self.address, [token_key])
        if locked:
            raise LockedOut()
        user = api_tokens.user_from_cache(found.get(token_key))
        if user is not None:
            return user, Token(key=key, user=user)
        user, token = super().authenticate_credentials(key)  # AuthenticationFailed: unknown, or inactive user
        api_tokens.remember(key, user)
        return user, token
