"""Which plugins the current tenant enabled, read once per request.

The enabled set is one query per request and schema (memoized between `request_started` and
`request_finished`, dropped on every state change); outside requests (tasks, commands) it is
read each time. No state outlives a request: web processes stay stateless.
"""

from __future__ import annotations

import threading
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


def invalidate() -> None:
    memo = getattr(_local, "memo", None)
    if memo is not None:
        memo.clear()


def _in_tenant() -> bool:
    from django_tenants.utils import get_public_schema_name

    return connection.schema_name not in (None, "", get_public_schema_name())


def enabled_settings() -> dict[str, dict[str, Any]]:
    """{plugin name: settings} of the plugins enabled in the current tenant."""
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
    enabled = enabled_settings()
    if not enabled:
        return []
    return [plugin for plugin in registry.all() if plugin.name in enabled]


def is_enabled(name: str) -> bool:
    return name in enabled_settings()


def plugins_with_hook(hook: str) -> list[Plugin]:
    return [plugin for plugin in enabled_plugins() if hook in plugin.hooks]
