"""Optimistic concurrency over HTTP: ETag out, If-Match in (428 without it, 412 when stale)."""

import contextlib

from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from core.errors import StaleRevision


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "If-Match is required."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you loaded it."
    default_code = "precondition_failed"


def check_if_match(request, current_etag: str) -> None:
    """428 without If-Match, 412 when it names another version than the current one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            _("Send If-Match with the ETag you received, so that you never overwrite a change you have not seen.")
        )
    etags = parse_etags(header)
    if etags == ["*"]:
        # "*" matches any version: the client would overwrite what it has never seen.
        raise PreconditionRequired(
            _(
                "If-Match: * is not accepted: send the ETag you received, "
                "so that you never overwrite a change you have not seen."
            )
        )
    if current_etag not in etags:
        raise PreconditionFailed(
            {"detail": _("It changed since you loaded it. Reload, then apply your change again."), "etag": current_etag}
        )


@contextlib.contextmanager
def stale_as_412():
    """The service's own check (the guarded update) lost a race after check_if_match passed."""
    try:
        yield
    except StaleRevision as error:
        raise PreconditionFailed({"detail": error.message, "etag": error.current.get("etag", "")}) from None


def with_etag(response: Response, obj) -> Response:
    response["ETag"] = obj.etag
    return response
