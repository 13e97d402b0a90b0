"""The Redis cache backend with one client object per connection pool.

Django's Redis backend builds a new `redis.Redis` client for every cache operation (its
constructor fills a table of ~170 response callbacks: ~65 µs, more than the round trip's
client work). A client is a thin, thread-safe front of its connection pool, which already
lives as long as the process, so one per pool serves every operation.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool -> its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
