"""Demo data: the plugins shipped in plugins/ are enabled for the demo tenant."""

from __future__ import annotations

from django.conf import settings

from panel1.plugins.registry import registry


def demo_plugins_enable(*, tenant, people) -> bool:
    """Enable the installed plugins named in PLUGINS_DEMO_ENABLED (once: a tenant that has
    any plugin state is left alone)."""
    from panel1.actors import Actor
    from panel1.plugins.models import PluginState
    from panel1.plugins.services import plugin_enable

    if PluginState.objects.exists():
        return False
    wanted = [name for name in settings.PLUGINS_DEMO_ENABLED if registry.get(name)]
    for name in wanted:
        plugin_enable(name=name, actor=Actor(label="system"))
    return bool(wanted)
