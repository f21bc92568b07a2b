"""Request bodies: a size cap per endpoint (413), and form bodies that must be UTF-8 (400).

The cap is checked on Content-Length before anything reads the body (Django's
ASGI handler reads chunked bodies as empty, so Content-Length is what counts).
Caps are per URL name (REQUEST_BODY_LIMITS), REQUEST_BODY_LIMIT_DEFAULT
elsewhere. The API answers in JSON, pages with the app's error page.

A form body with invalid UTF-8 is refused: Django would decode it with
replacement characters and the garbage would be stored as typed text.
"""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .error_pages import render_error

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPE = "application/x-www-form-urlencoded"


def body_limit_for(path: str) -> int:
    try:
        view_name = resolve(path).view_name
    except Resolver404:
        return settings.REQUEST_BODY_LIMIT_DEFAULT
    return settings.REQUEST_BODY_LIMITS.get(view_name, settings.REQUEST_BODY_LIMIT_DEFAULT)


def is_utf8_form(body: bytes) -> bool:
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def too_large(request, limit: int) -> HttpResponse:
    detail = _("The request is too large: at most %(limit)s kB here.") % {"limit": limit // 1024}
    response = render_error(request, 413, "413.html", detail)
    if request.path.startswith("/api/"):
        response = type(response)({"detail": detail, "limit_bytes": limit}, status=413)
    return response


class RequestBodyLimitMiddleware:
    """Before CsrfViewMiddleware, which reads the body of every POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = body_limit_for(request.path_info)
            if length > limit:
                return too_large(request, limit)
            content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if length and content_type == FORM_TYPE and not is_utf8_form(request.body):
                return render_error(
                    request,
                    400,
                    "400.html",
                    _("The form was not sent as UTF-8 text: reload the page and send it again."),
                )
        return self.get_response(request)
