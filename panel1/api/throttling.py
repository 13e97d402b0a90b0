"""API rate limits as fixed-window counters: one cache round trip per request, no database.

DRF's stock throttles keep a timestamp list per caller and read and write it through the
cache on every request; with the database cache that is five statements and a transaction.
These count hits per window instead: with Redis (`REDIS_URL`) one script call (INCR + EXPIRE) and
no database statement; with the database cache one upsert statement on `ApiRateCounter`;
with any other cache (the tests' local memory) add + incr. A window holds at most the rate's
number of requests (a caller may spend two windows' worth across a window boundary).
"""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from rest_framework import throttling

from panel1.api.models import ApiRateCounter


class _WindowCounter:
    """`allow_request()` and `wait()` for a SimpleRateThrottle subclass."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        return self._hit(window) <= self.num_requests

    def wait(self):
        return max(1.0, self.window_end - self.now)

    def _hit(self, window: int) -> int:
        cache = caches["default"]  # the backend itself (`self.cache` is a proxy)
        if isinstance(cache, RedisCache):
            return _hit_redis(cache, f"{self.key}:{window}", self.duration)
        if isinstance(cache, DatabaseCache):
            return _hit_database(self.key, window)
        key = f"{self.key}:{window}"
        cache.add(key, 0, self.duration)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: this is the window's first hit
            cache.set(key, 1, self.duration)
            return 1


# INCR, and EXPIRE on a window's first hit, in one atomic round trip (EVALSHA of a script
# Redis keeps; redis-py loads it again if the server forgot it): a fifth of the client-side
# work of a MULTI/INCR/EXPIRE/EXEC pipeline.
_WINDOW_HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""
_scripts: dict = {}  # id(connection pool) -> Script (the Script keeps its pool alive)


def _hit_redis(cache: RedisCache, key: str, duration: int) -> int:
    full_key = cache.make_key(key)  # carries the tenant's schema (django-tenants' key function)
    client = cache._cache.get_client(full_key, write=True)
    pool = client.connection_pool  # one per server for the process; a client per call
    script = _scripts.get(id(pool))
    if script is None:
        script = _scripts[id(pool)] = client.register_script(_WINDOW_HIT)
    return int(script(keys=[full_key], args=[duration + 1], client=client))


def _hit_database(key: str, window: int) -> int:
    table = ApiRateCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("key", "window", "hits") VALUES (%s, %s, 1) '
            f'ON CONFLICT ("key") DO UPDATE SET "hits" = CASE WHEN "{table}"."window" = '
            f'EXCLUDED."window" THEN "{table}"."hits" + 1 ELSE 1 END, "window" = EXCLUDED."window" '
            'RETURNING "hits"',
            [key[:200], window],
        )
        return cursor.fetchone()[0]


class UserRateThrottle(_WindowCounter, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_WindowCounter, throttling.AnonRateThrottle):
    pass
