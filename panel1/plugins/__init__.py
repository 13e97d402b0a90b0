"""The plugin platform: what a plugin is, how it is found, switched on per tenant, isolated,
and what it may reach. Plugins import only from here:

    from panel1.plugins import Plugin, Slot, Veto, requires, ui_slots

See docs/plugins.md.
"""

from panel1.plugins.base import (
    ACTION_HOOKS,
    FILTER_HOOKS,
    LIFECYCLE_HOOKS,
    PERMISSIONS,
    AutomationAction,
    ConditionField,
    NotificationChannel,
    Plugin,
    PluginError,
    PluginPermissionError,
    Slot,
    Veto,
)
from panel1.plugins.context import PluginContext, plugin_context, register_capability, requires
from panel1.plugins.slots import SLOT_ALIASES, SLOT_CATALOG, SLOTS, ui_slots

__all__ = [
    "ACTION_HOOKS",
    "AutomationAction",
    "ConditionField",
    "NotificationChannel",
    "FILTER_HOOKS",
    "LIFECYCLE_HOOKS",
    "PERMISSIONS",
    "SLOTS",
    "SLOT_ALIASES",
    "SLOT_CATALOG",
    "Plugin",
    "PluginContext",
    "PluginError",
    "PluginPermissionError",
    "Slot",
    "Veto",
    "plugin_context",
    "register_capability",
    "requires",
    "ui_slots",
]
