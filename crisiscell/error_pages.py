"""The app's own error pages (400, 403, 404, 405, 500, CSRF failure), in the reader's language.

They are rendered without a request context: no context processor runs, so an
error page reads nothing from the database (no user, no unread count). Django
may render an error page outside the request's thread (an exception raised by
a middleware); a page that queried there would keep a pooled connection for
good (crisiscell/asgi_handler.py tells the story). Under /api/ they answer JSON.
"""

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def render_error(request, status: int, template: str, detail: str, **context) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    # No `request` argument: a plain Context, hence no context processor and no query.
    html = loader.render_to_string(template, {"status": status, "detail": detail, **context})
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return render_error(
        request,
        400,
        "400.html",
        _("The request could not be understood. Go back, reload the page and try again."),
    )


def permission_denied(request, exception=None):
    # The services' PermissionDenied messages are written for the user ("Your role ...").
    message = str(exception) if exception is not None and exception.args else ""
    return render_error(
        request, 403, "403.html", message or _("Your role does not allow this action."), message=message
    )


def page_not_found(request, exception=None):
    return render_error(
        request, 404, "404.html", _("This page does not exist, or it belongs to a cell you are not a member of.")
    )


def server_error(request):
    return render_error(
        request,
        500,
        "500.html",
        _("The error was recorded. Reload the page in a moment; if it happens again, tell your administrator."),
    )


def csrf_failure(request, reason=""):
    return render_error(
        request,
        403,
        "403_csrf.html",
        _("The page was open for too long or you logged in elsewhere. Reload the page and send the form again."),
    )


class MethodNotAllowedPageMiddleware:
    """Django's `require_POST` & co. answer 405 with an empty body: a blank page for
    whoever opens such a URL directly. Give it a page that says what happened and
    leads back (the Allow header stays). API answers are left as they are (DRF's JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = render_error(
                request,
                405,
                "405.html",
                _("This address only receives forms sent from a page; it cannot be opened directly."),
            )
            page["Allow"] = response.get("Allow", "")
            return page
        return response
