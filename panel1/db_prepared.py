"""Hot statements sent as prepared statements: planned once per connection, not per request.

Django binds values on the client (psycopg's `ClientCursor`): PostgreSQL parses and plans
every statement anew. For a statement with a few joins and subqueries the planning is most
of its cost: the API's answer read of one ticket (requester, assignee, SLA block, CCs and
the customer's visibility subqueries) plans for ~0.9 ms and runs for ~0.1 ms. Inside
`prepared()`, statements with values go out with server-side binding as named prepared
statements of the connection (psycopg keeps up to 100 per connection, least recently used
ones are deallocated); after five executions PostgreSQL keeps a generic plan when it is not
worse than the custom ones, and the statement costs its execution only.

Safe with schemas per tenant: PostgreSQL parses a prepared statement again when
`search_path` differs from the one it was planned under, and plans again after DDL on its
tables. Not for PgBouncer in transaction mode (a prepared statement lives in one server
session; `docs/scaling.md` recommends session mode for `SET search_path` anyway). Only for
statements known to work with server-side binding (Django supports it for the ORM's SQL;
hand-written SQL must not rely on values written into the text), and one statement per
execute (no `a; b` strings, which client-side binding allows: `pipelined()` sends several
statements in one round trip instead).

psycopg forgets its prepared statements (and deallocates them) on every ROLLBACK, also to a
savepoint, and after DROP or ALTER: they are prepared again on their next use.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from psycopg._queries import PostgresQuery, _query2pg_nocache

# psycopg prepares nothing while the threshold is None (Django's default, kept for client-side
# binding); with a threshold out of reach only `prepare=True` prepares.
NEVER_BY_COUNT = 2**31 - 1


def _worth_preparing(query, params) -> bool:
    """Statements with values, and plain reads without (not `SET`, `SAVEPOINT` and the
    like, which django-tenants and Django send through the same cursors)."""
    if params:
        return True
    return isinstance(query, str) and query.lstrip()[:6].upper() == "SELECT"


# psycopg converts a statement's text (its %s markers into $n) once and keeps the result only
# for statements of at most 50 parameters and 4 KB: the row batches prepared here are longer
# (a new ticket's history, event, profile and audit rows: 50-100 parameters) and were
# converted anew on every run, ~0.13 ms of Python each. Their texts are few (one per model,
# row count and batch shape), so they are kept whatever their length.
_converted = functools.lru_cache(maxsize=256)(_query2pg_nocache)


class _KeptQuery(PostgresQuery):
    def convert(self, query, vars) -> None:
        if vars is None or not isinstance(query, str):
            super().convert(query, vars)
            return
        encoding = self._tx.encoding
        self.query, self._want_formats, self._order, self._parts = _converted(
            query.encode(encoding), encoding
        )
        self.dump(vars)


class PreparingCursor(ServerBindingCursor):
    """A server-side binding cursor that prepares every statement with values or a read."""

    _query_cls = _KeptQuery

    def execute(self, query, params=None, *, prepare=None, binary=None):
        prepare = True if _worth_preparing(query, params) else None
        return super().execute(query, params, prepare=prepare, binary=binary)

    def _send_query_prepared(self, name, pgq, *, binary=None):
        # psycopg records the statement sent (`_query`, which Django's query log reads) only
        # for statements it does not prepare: record it here too (the text with $n markers).
        self._query = pgq
        super()._send_query_prepared(name, pgq, binary=binary)


@contextmanager
def prepared() -> Iterator[None]:
    """Statements run inside (through Django's cursors: query logging, execute wrappers and
    the tenant's `SET search_path` as usual) go out as prepared statements."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = NEVER_BY_COUNT
    before = raw.cursor_factory
    raw.cursor_factory = PreparingCursor
    try:
        yield
    finally:
        raw.cursor_factory = before


@contextmanager
def pipelined() -> Iterator[None]:
    """Statements executed inside go out without waiting for each other (psycopg's pipeline
    mode): one round trip for all of them, each still a statement of its own, run in order,
    each with its own snapshot. Read their results after the block. With `prepared()`, for
    reads that must follow one another (a lock, then what to read under it)."""
    connection.ensure_connection()
    with connection.connection.pipeline():
        yield
