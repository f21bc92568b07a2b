"""Settings and URLs for a test server that can also fail on purpose.

`DJANGO_SETTINGS_MODULE=tests.integration.error_settings` gives the application's
own settings and URLs, plus two routes that exist only in this test server:
- `/__test__/boom/` reads the database, then raises: an unhandled error (500);
- `/__test__/pool/` reports the psycopg pool of this process: how many
  connections are checked out (nothing else must be, between requests).
"""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path


def boom(request):
    # A query first: the request's thread holds a connection when the error happens.
    bool(request.user.is_authenticated)
    raise RuntimeError("a bug, on purpose (test server only)")


def pool_stats(request):
    stats = connection.pool.get_stats() if connection.settings_dict["OPTIONS"].get("pool") else {}
    size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
    return JsonResponse({"checked_out": size - available, **stats})


urlpatterns = [
    path("__test__/boom/", boom),
    path("__test__/pool/", pool_stats),
    path("", include("crisiscell.urls")),
]
