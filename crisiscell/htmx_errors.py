"""A refused HTMX request answers a short message that the page shows where the person is looking.

Without this, a 403 or 404 to an in-place form is Django's whole error page,
which HTMX does not swap: the person saw nothing. Full-page requests keep the
site's own error pages.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _


class HtmxErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.headers.get("HX-Request"):
            return None
        if isinstance(exception, PermissionDenied):
            # The service says what is missing ("This needs the Member role ...; you are Observer.").
            status, message = 403, str(exception) or _("Your role does not allow this any more.")
        elif isinstance(exception, Http404):
            status, message = 404, _("It no longer exists, or you are no longer a member of this cell.")
        else:
            return None
        return render(request, "_htmx_error.html", {"message": message}, status=status)
