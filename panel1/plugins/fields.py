"""Computing a plugin's automation condition field (`Plugin.condition_fields`) for a ticket.

The automation app registers the fields and asks here for values when a rule reads one; the
test kit asks here too. A plugin disabled for the tenant, a failure or a value of the wrong
type reads as None (not set).
"""

from __future__ import annotations

from typing import Any

TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "enum": lambda v: isinstance(v, str),
    "list": lambda v: isinstance(v, list | tuple) and all(isinstance(i, str) for i in v),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def field_payload(ticket, *, event_name: str = "") -> dict[str, Any]:
    """What a condition field's method gets about `ticket` (plain values)."""
    requester = getattr(ticket, "requester", None)
    return {
        "ticket_id": str(ticket.pk),
        "number": ticket.number,
        "event": event_name,
        "subject": ticket.subject,
        "status": str(ticket.status),
        "priority": str(ticket.priority),
        "channel": str(ticket.channel),
        "tags": list(ticket.tags or ()),
        "requester_email": (getattr(requester, "email", "") or "").lower(),
    }


def field_value(name: str, payload: dict[str, Any]) -> Any:
    """The value of the plugin field `name` (`<plugin>.<key>`) for the ticket in `payload`."""
    from panel1.plugins import hooks
    from panel1.plugins.registry import registry
    from panel1.plugins.state import is_enabled

    plugin_name, _, key = name.partition(".")
    plugin = registry.get(plugin_name)
    if plugin is None or key not in plugin.condition_fields or not is_enabled(plugin_name):
        return None
    spec = plugin.condition_fields[key]
    handler = getattr(plugin, spec.method)
    value = hooks.run_isolated(plugin, f"condition field {key}", handler, dict(payload))
    if hooks.failed(value) or not TYPE_CHECKS[spec.type](value):
        return None
    return value
