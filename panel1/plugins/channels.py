"""Notification channels that plugins bring (`Plugin.notification_channels`).

A channel is named `<plugin>.<key>`. The core decides who hears about what (the desk's
notification centre and preferences, staff notices, customer notifications, see
`tickets.notifiers`) and hands each notification to the channels of the plugins the tenant
enabled; delivery runs in a queued job (`channel_deliver_task`, after commit), isolated like
every hook and claimed first, so a redelivered job never delivers twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from panel1.plugins.registry import registry
from panel1.plugins.state import enabled_plugins


@dataclass(frozen=True)
class ChannelInfo:
    id: str  # <plugin>.<key>
    plugin: str
    key: str
    label: str
    description: str
    audiences: tuple[str, ...]
    default: bool


def _infos(plugins, audience: str | None) -> list[ChannelInfo]:
    return [
        ChannelInfo(
            id=f"{plugin.name}.{key}",
            plugin=plugin.name,
            key=key,
            label=spec.label,
            description=spec.description,
            audiences=tuple(spec.audiences),
            default=spec.default,
        )
        for plugin in plugins
        for key, spec in plugin.notification_channels.items()
        if audience is None or audience in spec.audiences
    ]


def enabled_channels(audience: str | None = None) -> list[ChannelInfo]:
    """The channels of the plugins the current tenant enabled (for `audience`, if given)."""
    if not installed_channels(audience):  # nothing to read (tasks would pay a query for it)
        return []
    return _infos(enabled_plugins(), audience)


def installed_channels(audience: str | None = None) -> list[ChannelInfo]:
    return _infos(registry.all(), audience)


def channel_deliver(channel: ChannelInfo, notification: dict[str, Any]) -> None:
    """Queue the delivery of `notification` through `channel` (runs after commit)."""
    from panel1 import jobs

    jobs.enqueue("panel1.plugins.channels.channel_deliver_task", channel.id, notification)


def channel_deliver_task(channel_id: str, notification: dict[str, Any]) -> bool:
    """Deliver one notification through one plugin channel in this tenant; answers whether
    the plugin's method ran (not: disabled since, uninstalled, or delivered before)."""
    from panel1.plugins import hooks
    from panel1.plugins.state import is_enabled

    plugin_name, _, key = channel_id.partition(".")
    plugin = registry.get(plugin_name)
    if plugin is None or key not in plugin.notification_channels or not is_enabled(plugin_name):
        return False
    once = uuid.uuid5(uuid.NAMESPACE_URL, f"panel1-notification:{notification['id']}:{channel_id}")
    if not hooks.claim_delivery(once, plugin.name):
        return False
    handler = getattr(plugin, plugin.notification_channels[key].method)
    result = hooks.run_isolated(plugin, f"notification channel {key}", handler, dict(notification))
    return not hooks.failed(result)
