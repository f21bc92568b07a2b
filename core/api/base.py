"""API plumbing shared by every app: pagination and the error format.

Imported by DRF's own modules (DEFAULT_PAGINATION_CLASS): keep views out of it.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict


class Pagination(PageNumberPagination):
    """`page_size` must be a whole number from 1 (a larger one than the maximum is capped, as
    before); `null`, `0` or a repeated parameter is a 400, not silently the default.
    A `page` that is not a page stays DRF's 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) > 1 or not values[0].isdigit() or int(values[0]) < 1:
            raise ValidationError({self.page_size_query_param: [_("Give one whole number, 1 or more.")]})
        return min(int(values[0]), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page (at most {self.max_page_size}; more is capped)."
        return parameters


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
