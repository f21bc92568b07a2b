"""The Redis cache shares one connection pool and one client per process (core/cache.py, issue 12).

Django gives each thread, and under ASGI each request, a cache backend instance of its
own: each used to open its own pool, so every API request connected to Redis anew.
"""

import threading

import pytest
from django.conf import settings
from django.core.cache import caches

from core.cache import ReusingRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache is used with REDIS_URL only")


def test_backends_of_different_threads_share_the_pool_and_the_client():
    here = caches["default"]
    assert isinstance(here, ReusingRedisCache)
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(caches["default"]))
    thread.start()
    thread.join()
    assert elsewhere[0] is not here  # Django's own rule: an instance per thread
    assert elsewhere[0]._cache.get_client() is here._cache.get_client()
    assert elsewhere[0]._cache._get_connection_pool(True) is here._cache._get_connection_pool(True)
