"""API plumbing shared by every app: pagination and the error format.

Imported by DRF's own modules (DEFAULT_PAGINATION_CLASS): keep views out of it.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
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
        if hasattr(exc, "error_dict"):
            # Django says __all__ where DRF says non_field_errors: one name for clients.
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "current": exc.current}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
