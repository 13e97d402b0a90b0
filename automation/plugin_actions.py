"""Automation actions that plugins bring (`Plugin.automation_actions` of panel1.plugins):
registered as `<plugin>.<key>` action types, so they validate, appear in the rule builder and
run like the built-in ones; a plugin the tenant has not enabled skips its actions."""

from __future__ import annotations

from typing import Any

from automation.actions import ACTION_TYPES, ActionSpec, ParamSpec, ParamType
from automation.executors import EXECUTORS, ActionSkipped, Execution

PARAM_TYPES = {"string": ParamType.STRING, "string_list": ParamType.STRING_LIST}
MAX_LENGTH = 2_000


def plugin_actions_register() -> list[str]:
    """(Re)register every installed plugin's actions; answers the action types."""
    from panel1.plugins.registry import registry

    for type_ in [t for t in ACTION_TYPES if "." in t]:
        ACTION_TYPES.pop(type_)
        EXECUTORS.pop(type_, None)
    types = []
    for plugin in registry.all():
        for key, action in plugin.automation_actions.items():
            type_ = f"{plugin.name}.{key}"
            ACTION_TYPES[type_] = _spec(type_, plugin.name, action)
            EXECUTORS[type_] = (_runner(plugin.name, key), _describer(plugin.name, action))
            types.append(type_)
    return types


def _spec(type_: str, plugin_name: str, action) -> ActionSpec:
    params = {
        name: ParamSpec(
            name,
            PARAM_TYPES[kind],
            f"{name} ({plugin_name})",
            required=name not in action.optional,
            max_length=MAX_LENGTH,
            max_items=50 if kind == "string_list" else None,
        )
        for name, kind in action.parameters.items()
    }
    return ActionSpec(type_, f"[{plugin_name}] {action.description}", params)


def _runner(plugin_name: str, key: str):
    def run(ex: Execution, params: dict[str, Any]) -> str:
        from panel1.plugins import hooks
        from panel1.plugins.registry import registry
        from panel1.plugins.state import is_enabled

        plugin = registry.get(plugin_name)
        if plugin is None or not is_enabled(plugin_name):
            raise ActionSkipped(f"the plugin {plugin_name} is not enabled")
        action = plugin.automation_actions[key]
        payload = {
            "ticket_id": str(ex.ticket.pk),
            "number": ex.ticket.number,
            "rule": ex.rule.name,
            "event": ex.event.name,
            "parameters": dict(params),
        }
        handler = getattr(plugin, action.method)
        result = hooks.run_isolated(plugin, f"automation {key}", handler, payload)
        if hooks.failed(result):
            raise ActionSkipped(f"the plugin {plugin_name} failed")
        return str(result or f"{plugin_name}.{key} ran")

    return run


def _describer(plugin_name: str, action):
    def describe(ticket, params: dict[str, Any]) -> str:
        return f"Would run {plugin_name}: {action.description}"

    return describe
