"""API plumbing shared by every app: pagination and the error format."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """DRF's handler, plus the domain errors that services raise.

    Django's ValidationError becomes a 400 with field-level messages, Conflict a
    409 with the current state, so that clients can show or retry it.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "current": exc.current}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
