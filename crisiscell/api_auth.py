"""The API token endpoint: POST {"username", "password"} -> {"token"}."""

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from core.lockout import LockedOut

from .json_parser import SafeJSONParser


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}; throttled, and django-axes locks out guessing."""

    throttle_scope = "token"
    throttle_classes = [ScopedRateThrottle]
    # Credentials are in the body; no session, hence no CSRF check on this endpoint.
    authentication_classes = []
    # JSON, or the form (urlencoded or multipart) a login tool may send.
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    def get_serializer_context(self):
        # django-axes records the failure on the request it is given, and its
        # middleware reads the lockout flag from Django's HttpRequest. DRF's
        # Request wrapper would keep the flag to itself: pass the HttpRequest.
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(
        summary="Get your API token",
        description="Send it as `Authorization: Token <token>`. Repeated failures lock the account out for a while.",
        auth=[],
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password, or a field is missing."),
            429: OpenApiResponse(description="Throttled, or locked out after repeated failures."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        http_request = request._request
        if not serializer.is_valid():
            if getattr(http_request, "axes_locked_out", False):
                # Answer in the API's JSON format rather than with axes'
                # plain-text page, which its middleware would substitute.
                http_request.axes_locked_out = False
                raise LockedOut()
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        # A token is a login: axes resets the failure count (AXES_RESET_ON_SUCCESS)
        # and records the access, Django updates last_login.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response({"token": token.key})
