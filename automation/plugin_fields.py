"""Condition fields that plugins bring (`Plugin.condition_fields` of panel1.plugins).

Registered as `<plugin>.<key>` in the field registry, so rules validate against them, the rule
builder lists them with their labels, and the engine and dry runs evaluate them. A value is
computed only when a rule reads it (`LazyContext`), once per context, by the plugin's method,
isolated like every hook; a plugin the tenant has not enabled, a failure or a value of the
wrong type reads as not set (null).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automation.condition_fields import FIELDS, FieldSpec, FieldType

_TYPES = {
    "string": FieldType.STRING,
    "enum": FieldType.ENUM,
    "list": FieldType.LIST,
    "integer": FieldType.INTEGER,
    "number": FieldType.NUMBER,
    "boolean": FieldType.BOOLEAN,
}


def plugin_fields_register() -> list[str]:
    """(Re)register every installed plugin's condition fields; answers their names."""
    from panel1.plugins.registry import registry

    for name in [n for n in FIELDS if "." in n]:
        FIELDS.pop(name)
    names = []
    for plugin in registry.all():
        for key, spec in plugin.condition_fields.items():
            name = f"{plugin.name}.{key}"
            FIELDS[name] = FieldSpec(
                name,
                _TYPES[spec.type],
                f"[{plugin.name}] {spec.description or spec.label}",
                choices=tuple(spec.choices),
                nullable=True,
                label=spec.label,
            )
            names.append(name)
    return names


class LazyContext(dict):
    """The condition context; a plugin field is computed on its first read (`get`, `[]`), or
    when all values are asked for (`items`, `values`: dry runs show them). Its keys are all
    the registry's fields either way."""

    def __init__(self, values: dict[str, Any], resolvers: dict[str, Callable[[], Any]]):
        super().__init__(values)
        self._resolvers = resolvers

    def _resolve(self, key) -> None:
        if key in self._resolvers and not dict.__contains__(self, key):
            dict.__setitem__(self, key, self._resolvers.pop(key)())

    def get(self, key, default=None):
        self._resolve(key)
        return dict.get(self, key, default)

    def __getitem__(self, key):
        self._resolve(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or key in self._resolvers

    def __iter__(self):
        yield from list(dict.__iter__(self))
        yield from list(self._resolvers)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._resolvers)

    def keys(self):
        return list(self)

    def items(self):
        for key in list(self._resolvers):
            self._resolve(key)
        return dict.items(self)

    def values(self):
        return [value for _key, value in self.items()]


def with_plugin_fields(values: dict[str, Any], *, ticket, event_name: str = "") -> dict[str, Any]:
    """`values` with the plugin fields of the registry ready to be computed for `ticket`."""
    names = [name for name in FIELDS if "." in name]
    if not names:
        return values
    from panel1.plugins.fields import field_payload

    payload = field_payload(ticket, event_name=event_name)
    return LazyContext(values, {name: _resolver(name, payload) for name in names})


def _resolver(name: str, payload: dict[str, Any]) -> Callable[[], Any]:
    from panel1.plugins.fields import field_value

    return lambda: field_value(name, payload)
