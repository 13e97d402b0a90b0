"""The context object a plugin's code receives: the tenant, its settings, its own data, and
only the capabilities its declared permissions allow.

Core apps offer capabilities (panel1 never imports them): `tickets` registers a `tickets`
capability, the knowledge base `kb`, the email channel `mail`. Each public method of a
capability names the permission it needs with `@requires(...)`; a method without one is
refused, so a new method is closed until someone decides who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from panel1.plugins.base import Plugin, PluginPermissionError

_capabilities: dict[str, Callable[[PluginContext], Any]] = {}


def requires(permission: str):
    """Mark a capability method with the permission a plugin must have declared to call it."""

    def mark(func):
        func.plugin_permission = permission
        return func

    return mark


def register_capability(name: str, factory: Callable[[PluginContext], Any]) -> None:
    """Offer `ctx.<name>` to plugins; `factory(ctx)` builds the capability object."""
    _capabilities[name] = factory


def capability(name: str, ctx: PluginContext) -> Any:
    """The raw capability object `name` (no permission checks: for the platform itself)."""
    return _capabilities[name](ctx)


class _Scoped:
    """A capability seen through a plugin's permissions."""

    def __init__(self, name: str, target: Any, ctx: PluginContext):
        self._name, self._target, self._ctx = name, target, ctx

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(attr)
        member = getattr(self._target, attr)
        needed = getattr(member, "plugin_permission", None)
        if needed is None:
            raise PluginPermissionError(
                f"plugin {self._ctx.plugin.name!r}: {self._name}.{attr} is not offered to plugins"
            )
        if needed not in self._ctx.permissions:
            raise PluginPermissionError(
                f"plugin {self._ctx.plugin.name!r}: {self._name}.{attr} needs the "
                f"{needed!r} permission, which the plugin did not declare"
            )
        return member


class PluginData:
    """The plugin's own key/value store in this tenant (no permission needed)."""

    def __init__(self, plugin_name: str):
        self._plugin = plugin_name

    def get(self, key: str, default: Any = None) -> Any:
        from panel1.plugins.models import PluginDatum

        row = PluginDatum.objects.filter(plugin=self._plugin, key=key).first()
        return default if row is None else row.value

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        from panel1.plugins.models import PluginDatum

        rows = PluginDatum.objects.filter(plugin=self._plugin, key__in=keys)
        return dict(rows.values_list("key", "value"))

    def set(self, key: str, value: Any) -> None:
        from panel1.plugins.models import PluginDatum

        PluginDatum.objects.update_or_create(
            plugin=self._plugin, key=key, defaults={"value": value}
        )

    def incr(self, key: str, by: int = 1) -> int:
        """Add `by` to a counter (created at 0) under a row lock; answers the new value."""
        from django.db import transaction

        from panel1.plugins.models import PluginDatum

        with transaction.atomic():
            row, _ = PluginDatum.objects.select_for_update().get_or_create(
                plugin=self._plugin, key=key, defaults={"value": 0}
            )
            row.value = int(row.value or 0) + by
            row.save(update_fields=["value", "updated_at"])
        return row.value

    def delete(self, key: str) -> None:
        from panel1.plugins.models import PluginDatum

        PluginDatum.objects.filter(plugin=self._plugin, key=key).delete()


class PluginContext:
    """What one plugin may reach in the current tenant."""

    def __init__(self, plugin: Plugin, *, settings: dict[str, Any] | None = None):
        self.plugin = plugin
        self.permissions = frozenset(plugin.permissions)
        self.schema_name = connection.schema_name
        self.settings = dict(settings or {})
        self.data = PluginData(plugin.name)
        self._built: dict[str, _Scoped] = {}

    @property
    def actor_label(self) -> str:
        return f"plugin:{self.plugin.name}"

    def rate_limited(self, scope: str, ident: str, *, count: int, seconds: int) -> bool:
        """Count one attempt of `ident` (an address, an email) in the plugin's own fixed
        window `scope`; True when it is over `count` per `seconds` (cache keys carry the
        tenant)."""
        import hashlib
        import time

        from django.core.cache import cache

        digest = hashlib.sha256(f"{scope}:{ident}".strip().lower().encode()).hexdigest()[:32]
        key = f"plugin:{self.plugin.name}:ratelimit:{digest}:{int(time.time() // seconds)}"
        if cache.add(key, 1, timeout=seconds):
            return False
        try:
            return cache.incr(key) > count
        except ValueError:  # expired between add and incr
            return False

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        factory = _capabilities.get(name)
        if factory is None:
            raise AttributeError(f"no capability {name!r} (known: {', '.join(_capabilities)})")
        if name not in self._built:
            self._built[name] = _Scoped(name, factory(self), self)
        return self._built[name]


def context_for(plugin: Plugin) -> PluginContext:
    """The context of `plugin` in the current tenant, with its saved settings."""
    from panel1.plugins.state import enabled_settings

    saved = enabled_settings().get(plugin.name)
    if saved is None:
        from panel1.plugins.models import PluginState

        saved = (
            PluginState.objects.filter(plugin=plugin.name)
            .values_list("settings", flat=True)
            .first()
        )
    from panel1.plugins.settings import settings_defaults

    return PluginContext(plugin, settings={**settings_defaults(plugin), **(saved or {})})


def plugin_context(name: str) -> PluginContext:
    """The context of the installed plugin `name` in the current tenant (for plugin views)."""
    from panel1.plugins.registry import registry

    plugin = registry.get(name)
    if plugin is None:
        raise LookupError(f"No plugin {name!r} is installed.")
    return context_for(plugin)
