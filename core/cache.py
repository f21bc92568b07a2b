"""Django's Redis cache, with one connection pool and one client per process.

Django gives each thread, and under ASGI each request's context, a cache backend
instance of its own (`caches` is an asgiref `Local`), and each instance opened its
own redis-py connection pool: every API request connected to Redis anew (a TCP
connect, redis-py's `CLIENT SETINFO`, and `importlib.metadata.version("redis")`
scanning sys.path for the library's version: 17 % of a token-authenticated read's
CPU under uvicorn, issue 12). And `RedisCacheClient.get_client()` built a new
`redis.Redis` around the pool at every cache operation (~170 response callbacks
registered, ~0.1 ms). Both are thread-safe and now shared by the process: the pool
hands each command a connection of its own.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_lock = threading.Lock()
_pools: dict = {}
_clients: dict = {}


class _SharedPoolClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], self._pool_class, repr(sorted(self._pool_options.items())))
        pool = _pools.get(key)
        if pool is None:
            with _lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = _clients.get(id(pool))
        if client is None:
            client = _clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedPoolClient
