"""Timestamps read from PostgreSQL with psycopg's compiled loader instead of Django's.

Django's PostgreSQL backend reads every `timestamptz` value through its own loader
(`psycopg_any.BaseTzLoader`), a subclass of psycopg's pure-Python `TimestamptzLoader`, so the
compiled loader that `psycopg[binary]` ships is never used: about 7 microseconds of Python per
value, 450 values in a list of 50 tickets (a tenth of its Python time). The loader here does
what Django's does (the instant, with the connection's `timezone` as its tzinfo) through the
loader psycopg itself would use for the type, compiled when available. It is registered on
each new connection for the connection's time zone; a cursor that needs another one
(Django compares `timezone` in `create_cursor`) still gets Django's own.
"""

from __future__ import annotations

import functools

import psycopg
from django.db.backends.signals import connection_created
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ = "timestamptz"


class _TimestampLoader(Loader):
    """Django's `BaseTzLoader`, with psycopg's own (compiled) loader doing the parsing."""

    timezone = None

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = psycopg.adapters.get_loader(oid, Format.TEXT)(oid, context).load

    def load(self, data):
        value = self._parse(data)
        zone = self.timezone
        # The session's time zone is the connection's (Django sets it), so the parse already
        # carries it in the usual case; Django's loader replaces it unconditionally.
        return value if value.tzinfo is zone else value.replace(tzinfo=zone)


@functools.cache
def _loader_for(zone) -> type[_TimestampLoader]:
    return type("TimestampLoader", (_TimestampLoader,), {"timezone": zone, "__module__": __name__})


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or not hasattr(connection.connection, "adapters"):
        return
    oid = psycopg.adapters.types[TIMESTAMPTZ].oid
    if psycopg.adapters.get_loader(oid, Format.TEXT) is None:
        return
    connection.connection.adapters.register_loader(TIMESTAMPTZ, _loader_for(connection.timezone))


def connect() -> None:
    """Register the loader on every new database connection (`AppConfig.ready`)."""
    connection_created.connect(_register, dispatch_uid="panel1.db_loaders")
