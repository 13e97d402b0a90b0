"""Reads of plugin state for the API, the pages and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from panel1.plugins.base import Plugin
from panel1.plugins.registry import registry


@dataclass
class PluginRow:
    plugin: Plugin
    enabled: bool
    forbidden: bool
    failure_count: int
    last_error: str
    disabled_reason: str
    settings: dict[str, Any]

    @property
    def name(self) -> str:
        return self.plugin.name


def plugin_rows(*, names: list[str] | None = None) -> list[PluginRow]:
    """Every installed plugin with the current tenant's state (two queries)."""
    from panel1.plugins.models import PluginState
    from panel1.plugins.platform.models import PluginForbid
    from panel1.plugins.settings import settings_defaults

    plugins = [p for p in registry.all() if names is None or p.name in names]
    states = {s.plugin: s for s in PluginState.objects.filter(plugin__in=[p.name for p in plugins])}
    forbidden = set(
        PluginForbid.objects.filter(tenant__schema_name=connection.schema_name).values_list(
            "plugin", flat=True
        )
    )
    rows = []
    for plugin in plugins:
        found = states.get(plugin.name)
        rows.append(
            PluginRow(
                plugin=plugin,
                enabled=bool(found and found.enabled),
                forbidden=plugin.name in forbidden,
                failure_count=found.failure_count if found else 0,
                last_error=found.last_error if found else "",
                disabled_reason=found.disabled_reason if found else "",
                settings={**settings_defaults(plugin), **((found and found.settings) or {})},
            )
        )
    return rows


def plugin_row(name: str) -> PluginRow:
    from panel1.plugins.services import plugin_get

    plugin_get(name)
    return plugin_rows(names=[name])[0]
