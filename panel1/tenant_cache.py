"""Per-tenant configuration kept in process memory, checked against one version per tenant.

Every event, request and job of a tenant reads the same small pieces of configuration (the
active automation rules, SLA profiles, routing settings, agents' category limits, the
category list). Reading each from the shared cache costs a round trip (a statement with the
database cache) and an unpickling per use; reading them from PostgreSQL costs more. Here each
piece is loaded once per process and kept under `(schema, name)` together with the tenant's
*configuration version*, a random token in the shared cache (its key carries the schema, like
every cache key). A change anywhere in the tenant's configuration calls `bump()`: a new token,
at once and again after commit (a reader racing the change cannot keep the old value under the
new token), so every process reloads on its next read; a cleared or evicted cache yields a new
token too. The token is read once per request, job or batch (`scope()`, at most
`SCOPE_SECONDS` old) and once per use outside one.

Values are shared by every request of the process: callers must treat them as read-only.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction

VERSION_KEY = "tenant-config:version"
SCOPE_SECONDS = 2.0
MAX_ENTRIES = 20_000  # (schema, name) pairs kept; beyond, the store starts afresh

T = TypeVar("T")
_store: dict[tuple[str, str], tuple[str, Any]] = {}
_lock = threading.Lock()
_local = threading.local()


def _schema() -> str:
    return connection.schema_name or ""


def _memo() -> dict[str, tuple[str, float]] | None:
    return getattr(_local, "versions", None)


def version() -> str:
    """The current tenant's configuration version (read once per scope)."""
    schema = _schema()
    memo = _memo()
    if memo is not None:
        found = memo.get(schema)
        if found is not None and time.monotonic() - found[1] < SCOPE_SECONDS:
            return found[0]
    token = cache.get(VERSION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, token, None):
            token = cache.get(VERSION_KEY) or token
    if memo is not None:
        memo[schema] = (token, time.monotonic())
    return token


def cached(name: str, load: Callable[[], T]) -> T:
    """The current tenant's `name`, from process memory while the version holds, else
    `load()` (then kept)."""
    key = (_schema(), name)
    current = version()
    found = _store.get(key)
    if found is not None and found[0] == current:
        return found[1]
    value = load()
    with _lock:
        if len(_store) >= MAX_ENTRIES:
            _store.clear()
        _store[key] = (current, value)
    return value


def bump() -> None:
    """The current tenant's configuration changed: a new version now and after commit."""
    schema = _schema()
    _bump(schema)
    transaction.on_commit(lambda: _bump_in(schema))


def bump_schema(schema: str) -> None:
    """`bump()` for `schema`, from any schema (a tenant's own row saved from the public one,
    say): a new version now and after commit."""
    if not schema:
        return
    _bump_in(schema)
    transaction.on_commit(lambda: _bump_in(schema))


def _bump(schema: str) -> None:
    token = uuid.uuid4().hex
    cache.set(VERSION_KEY, token, None)
    memo = _memo()
    if memo is not None:
        memo[schema] = (token, time.monotonic())


def _bump_in(schema: str) -> None:
    if _schema() == schema:
        _bump(schema)
        return
    from django_tenants.utils import schema_context

    with schema_context(schema):
        _bump(schema)


@contextlib.contextmanager
def scope():
    """Read each tenant's version once for the block (a batch, a job); a scope already open
    (a request) is kept."""
    if _memo() is not None:
        yield
        return
    _local.versions = {}
    try:
        yield
    finally:
        _local.versions = None


def _begin(**kwargs) -> None:
    _local.versions = {}


def _end(**kwargs) -> None:
    _local.versions = None


def connect_request_signals() -> None:
    request_started.connect(_begin, dispatch_uid="panel1.tenant_cache.begin")
    request_finished.connect(_end, dispatch_uid="panel1.tenant_cache.end")


def forget_process_memory() -> None:
    """Drop every value kept in this process (tests)."""
    with _lock:
        _store.clear()
