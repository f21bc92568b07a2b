"""API plumbing shared by every app: pagination and the error format.

Imported by DRF's own modules (DEFAULT_PAGINATION_CLASS): keep views out of it.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict


class CountSparingPaginator(DjangoPaginator):
    """Django's paginator, without the COUNT when the first page is not full: then the
    page holds the whole list and its length is the count (most lists, most of the time)."""

    def page(self, number):
        if str(number) != "1":
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # the cached_property, set
        return self._get_page(rows, self.validate_number(1), self)


class PageSizeMixin:
    """`page_size` must be a whole number from 1 (a larger one than the maximum is capped, as
    before); `null`, `0` or a repeated parameter is a 400, not silently the default."""

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


class Pagination(PageSizeMixin, PageNumberPagination):
    """Numbered pages (`page`, `page_size`). A `page` that is not a page stays DRF's 404."""

    django_paginator_class = CountSparingPaginator

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page (at most {self.max_page_size}; more is capped)."
        return parameters


class PreparedFirstPageMixin:
    """A list endpoint's default request (no parameter but `page_size`: the first page in
    the default order, what clients and integrations poll) served from `first_rows(limit)`,
    a query compiled once per process (core/prepared.py) instead of the queryset, whose
    compilation cost as much CPU as the rest of the request (issue 12).

    `first_rows` returns the first `limit` rows in the default order, or None to take the
    general path. One row more than a page is asked for: without it, the page is the whole
    list and its length the count; with it, the COUNT is taken as before (for the links).
    """

    def first_rows(self, limit: int) -> list | None:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        if not request.query_params.keys() - {"page_size"}:
            page_size = self.paginator.get_page_size(request)  # 400 for a bad one, as always
            rows = self.first_rows(page_size + 1)
            if rows is not None:
                if len(rows) > page_size:
                    count = self.filter_queryset(self.get_queryset()).count()
                    self.paginator.django_paginator_class = counted_paginator(count)
                page = self.paginate_queryset(rows)
                return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return super().list(request, *args, **kwargs)


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


class KeysetPagination(PageSizeMixin, CursorPagination):
    """Keyset (cursor) pages of a long, append-only list ordered by a unique key.

    `cursor=` pages cost the same at the end of the list as at its start (an
    index range, no OFFSET, no COUNT); `next` and `previous` carry cursors.
    `page=` still works, as numbered pages (older clients), and the `count` of
    both comes from the caller (`count_for(view)`), not from a COUNT.
    """

    ordering = "-seq"
    cursor_query_param = "cursor"
    page_query_param = "page"

    def count_for(self, view) -> int:
        raise NotImplementedError

    def paginate_queryset(self, queryset, request, view=None):
        self.count = self.count_for(view)
        if self.page_query_param in request.query_params:
            self.numbered = Pagination()
            self.numbered.django_paginator_class = counted_paginator(self.count)
            return self.numbered.paginate_queryset(queryset, request, view)
        self.numbered = None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.numbered is not None:
            return self.numbered.get_paginated_response(data)
        return Response(
            {"count": self.count, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        return Pagination().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        cursor = [
            {**parameter, "description": "The cursor of a `next` or `previous` link (keyset pages, the default)."}
            for parameter in super().get_schema_operation_parameters(view)
            if parameter["name"] == self.cursor_query_param
        ]
        numbered = Pagination().get_schema_operation_parameters(view)
        for parameter in numbered:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = "A page number (numbered pages, kept for older clients)."
        return cursor + numbered


def counted_paginator(count: int) -> type[DjangoPaginator]:
    """A paginator whose count is known already (no COUNT query)."""

    class CountedPaginator(DjangoPaginator):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.__dict__["count"] = count

    return CountedPaginator
