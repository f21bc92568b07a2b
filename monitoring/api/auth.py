"""The ingestion token: `Authorization: Token cci_...`, good for POST /api/v1/mentions/batch/ only.

Only the batch endpoint lists this class, and it lists no other: a user's token (or a
session) cannot ingest, and an ingestion key sent anywhere else is an unknown user
token (401). A wrong key counts as a failed login for the client's address, like a
wrong user token (crisiscell/lockout.py).
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from core.lockout import LockedOut, address_locked, record_address_failure, request_address

from .. import services
from ..models import Source


class IngestTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        address = request_address(request)
        if address_locked(address):
            raise LockedOut()
        if len(parts) != 2:
            raise AuthenticationFailed(_("Give the ingestion token after “Token ”."))
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise AuthenticationFailed(_("The token is not text.")) from exc
        source = services.token_source(key)
        if source is None:
            record_address_failure(address)
            raise AuthenticationFailed(_("This endpoint needs a live ingestion token of a cell (not a user's token)."))
        return AnonymousUser(), source

    def authenticate_header(self, request):
        return self.keyword


class IsIngestion(BasePermission):
    message = _("This endpoint needs an ingestion token.")

    def has_permission(self, request, view):
        return isinstance(request.auth, Source)


class IngestTokenScheme(OpenApiAuthenticationExtension):
    """The schema names the ingestion token as its own security scheme."""

    target_class = IngestTokenAuthentication
    name = "ingestToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token cci_...`: an ingestion token of one cell (POST /api/v1/mentions/batch/ only).",
        }
