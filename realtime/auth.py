"""WebSocket authentication: the browser's session, or an API client's token.

An `Authorization: Token <key>` header (the same token as the REST API) takes
precedence over the session; a wrong token is anonymous, hence refused, and
counts as a failed login for the client's address; a locked-out address
authenticates no socket with a token (core/lockout.py).
"""

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from core.client_ip import scope_client_address
from core.lockout import address_locked, record_address_failure


@database_sync_to_async
def _user_for_token(key: str, address: str):
    from rest_framework.authtoken.models import Token

    if address_locked(address):
        return AnonymousUser()
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        record_address_failure(address)
        return AnonymousUser()
    return token.user


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        keyword, _sep, key = header.partition(" ")
        if keyword.lower() == "token" and key.strip():
            scope = {**scope, "user": await _user_for_token(key.strip(), scope_client_address(scope))}
        return await super().__call__(scope, receive, send)
