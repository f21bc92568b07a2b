"""Cache-Control: no-store on crisis pages and the API.

What a cell member sees (statements in draft, who decided what) must not stay
in a shared computer's browser cache or in a proxy. Responses that set their
own Cache-Control keep it; anonymous pages (the login page) and static files
(WhiteNoise answers before this middleware) are left alone.
"""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
