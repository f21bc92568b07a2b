"""The API's routers: every app's URLs are built with these (crisiscell.api_urls, monitoring.api.urls)."""

from rest_framework.routers import DefaultRouter, SimpleRouter


class NumericIdsMixin:
    """Ids in API paths are numbers, matched by the URL pattern itself: `members/abc/` is a
    404 before any view runs (it was a 500: a ValueError in the lookup). A viewset with
    other keys says so (LockViewSet: `fact:12`)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if hasattr(viewset, "lookup_value_regex"):
            return super().get_lookup_regex(viewset, lookup_prefix)
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        return f"(?P<{lookup_prefix}{kwarg}>[0-9]+)"


class Router(NumericIdsMixin, SimpleRouter):
    pass


class RootRouter(NumericIdsMixin, DefaultRouter):
    # No `.json` twins of every URL: one address per resource, as the schema says.
    include_format_suffixes = False
