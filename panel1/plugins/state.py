"""Which plugins the current tenant enabled, at no cost per request.

The names ride on the tenant row (`Tenant.plugins_enabled`, which the tenant middleware reads
for every request anyway; the plugin services keep it in step with `PluginState`), so a
request for a tenant without plugins makes no query at all. Settings are read only when an
enabled plugin runs, once per request and schema (memoized between `request_started` and
`request_finished`, dropped on every state change). Outside requests (tasks, commands:
`schema_context` gives a tenant without fields) both come from `PluginState`. No state
outlives a request: web processes stay stateless.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connection

from panel1.plugins.base import Plugin
from panel1.plugins.registry import registry

_local = threading.local()


def connect_request_signals() -> None:
    request_started.connect(_begin, dispatch_uid="panel1.plugins.state.begin")
    request_finished.connect(_end, dispatch_uid="panel1.plugins.state.end")


def _begin(**kwargs) -> None:
    _local.memo = {}


def _end(**kwargs) -> None:
    _local.memo = None


@contextmanager
def memo_scope():
    """Memoize plugin settings per schema for a batch outside requests (e.g. the ingest
    command's files), as a request does; a scope already open (a request) is kept. The
    tenants' configuration versions are read once per scope too (`panel1.tenant_cache`)."""
    from panel1 import tenant_cache

    if getattr(_local, "memo", None) is not None:
        yield
        return
    _begin()
    try:
        with tenant_cache.scope():
            yield
    finally:
        _end()


def invalidate() -> None:
    memo = getattr(_local, "memo", None)
    if memo is not None:
        memo.clear()


def _in_tenant() -> bool:
    from django_tenants.utils import get_public_schema_name

    return connection.schema_name not in (None, "", get_public_schema_name())


def enabled_names() -> frozenset[str]:
    """Names of the plugins enabled in the current tenant."""
    if not _in_tenant() or not registry.all():
        return frozenset()
    names = getattr(connection.tenant, "plugins_enabled", None)
    if isinstance(names, list):  # a real tenant row (requests)
        return frozenset(names)
    return frozenset(enabled_settings())


def enabled_settings() -> dict[str, dict[str, Any]]:
    """{plugin name: settings} of the plugins enabled in the current tenant (one query per
    request and schema)."""
    if not _in_tenant() or not registry.all():
        return {}
    memo = getattr(_local, "memo", None)
    schema = connection.schema_name
    if memo is not None and schema in memo:
        return memo[schema]
    from panel1.plugins.models import PluginState

    rows = dict(PluginState.objects.filter(enabled=True).values_list("plugin", "settings"))
    if memo is not None:
        memo[schema] = rows
    return rows


def enabled_plugins() -> list[Plugin]:
    names = enabled_names()
    if not names:
        return []
    return [plugin for plugin in registry.all() if plugin.name in names]


def is_enabled(name: str) -> bool:
    return name in enabled_names()


def plugins_with_hook(hook: str) -> list[Plugin]:
    # No installed plugin has the hook: nothing to read (tasks would pay a query for it).
    if not any(hook in plugin.hooks for plugin in registry.all()):
        return []
    return [plugin for plugin in enabled_plugins() if hook in plugin.hooks]


def tenant_row_sync() -> list[str]:
    """Copy the enabled names to the tenant row (and the in-memory tenant of this request)."""
    from panel1.plugins.models import PluginState
    from panel1.tenants.models import Tenant

    names = sorted(PluginState.objects.filter(enabled=True).values_list("plugin", flat=True))
    Tenant.objects.filter(schema_name=connection.schema_name).update(plugins_enabled=names)
    if isinstance(getattr(connection.tenant, "plugins_enabled", None), list):
        connection.tenant.plugins_enabled = names
    invalidate()
    return names
