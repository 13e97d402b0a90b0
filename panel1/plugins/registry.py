"""Discovery: the installed plugins, from the `panel1.plugins` entry-point group and the
`PANEL1_PLUGINS` setting (dotted paths, for development). An invalid plugin is refused with
its errors logged (naming the plugin and the field); the rest of the system keeps running.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from django.conf import settings
from django.utils.module_loading import import_string

from panel1.plugins.base import Plugin, PluginError
from panel1.plugins.validation import validate_plugin

logger = logging.getLogger("panel1.plugins")
ENTRY_POINT_GROUP = "panel1.plugins"


class PluginRegistry:
    def __init__(self):
        self._plugins: dict[str, Plugin] = {}
        self.errors: list[PluginError] = []
        self._loaded = False
        self._listeners: list = []

    def on_change(self, listener) -> None:
        """Call `listener()` whenever the installed set changes (apps that copy what plugins
        bring into their own registries: automation actions and condition fields)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # --- loading ------------------------------------------------------------------------

    def load(self) -> None:
        """(Re)discover every plugin; called from `AppConfig.ready()`."""
        self._plugins, self.errors, self._loaded = {}, [], True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            self._load_one(lambda ep=ep: ep.load(), source=f"entry point {ep.name}", label=ep.name)
        for dotted in getattr(settings, "PANEL1_PLUGINS", []):
            self._load_one(lambda d=dotted: import_string(d), source="PANEL1_PLUGINS", label=dotted)
        self._changed()

    def _load_one(self, loader, *, source: str, label: str) -> None:
        try:
            target = loader()
        except Exception as exc:  # a broken plugin must not stop the helpdesk
            self._refuse([PluginError(label, "import", f"{type(exc).__name__}: {exc}")])
            return
        self.register(target, source=source)

    def register(self, target: type[Plugin] | Plugin, *, source: str = "code") -> list[PluginError]:
        """Validate and add a plugin (class or instance); answers the errors (empty = added)."""
        if isinstance(target, type) and issubclass(target, Plugin):
            plugin = target()
        elif isinstance(target, Plugin):
            plugin = target
        else:
            errors = [PluginError(str(target), "class", "is not a panel1.plugins.Plugin subclass")]
            self._refuse(errors)
            return errors
        errors = validate_plugin(plugin)
        existing = self._plugins.get(plugin.name)
        if existing is not None and type(existing) is not type(plugin):
            errors.append(PluginError(plugin.name, "name", f"already used ({existing.source})"))
        if errors:
            self._refuse(errors)
            return errors
        plugin.source = source
        self._plugins[plugin.name] = plugin
        if self._loaded:
            self._changed()
        return []

    def unregister(self, name: str) -> None:
        if self._plugins.pop(name, None) is not None:
            self._changed()

    def _refuse(self, errors: list[PluginError]) -> None:
        for error in errors:
            logger.error("Plugin refused: %s", error)
        self.errors.extend(errors)

    # --- reading ------------------------------------------------------------------------

    def _ensure(self) -> None:
        if not self._loaded:
            self.load()

    def all(self) -> list[Plugin]:
        self._ensure()
        return sorted(self._plugins.values(), key=lambda p: p.name)

    def get(self, name: str) -> Plugin | None:
        self._ensure()
        return self._plugins.get(name)

    def names(self) -> list[str]:
        return [plugin.name for plugin in self.all()]


registry = PluginRegistry()
