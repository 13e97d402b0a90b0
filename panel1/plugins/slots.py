"""UI slots: named places in the pages where apps and plugins render components.

Core apps register components in `AppConfig.ready()`:

    from panel1.plugins import ui_slots
    ui_slots.register("desk.ticket.sidebar", key="crm", template="crm/_sidebar.html",
                      context=lambda request, **kw: {"customer": ...})

Plugins declare theirs in `Plugin.slots`; they render only for tenants that enabled the plugin.
Templates render a slot with
`{% load panel1_plugins %}{% ui_slot "desk.ticket.sidebar" ticket=ticket %}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Every slot and where it renders (the slot catalog).
SLOT_CATALOG: dict[str, str] = {
    "desk.ticket.sidebar": "Desk ticket page, right-hand sidebar (gets `ticket`)",
    "desk.ticket.toolbar": "Desk ticket page, above the conversation (gets `ticket`)",
    "desk.dashboard": "Desk dashboard, below the queue counts",
    "portal.home": "Customer portal home page, below the shortcuts",
    "portal.ticket": "Customer portal ticket page, below the conversation (gets `ticket`)",
    "kb.article.footer": "Knowledge-base article page, below the article (gets `article`)",
    "settings.section": "Tenant settings page (admins), a section per component",
}
SLOTS = tuple(SLOT_CATALOG)
# Names from before the catalog, kept valid.
SLOT_ALIASES = {"ticket.sidebar": "desk.ticket.sidebar"}


def canonical_slot(slot: str) -> str:
    """The catalog name of `slot` (aliases resolved); ValueError for an unknown name."""
    slot = SLOT_ALIASES.get(slot, slot)
    if slot not in SLOT_CATALOG:
        known = ", ".join([*SLOTS, *SLOT_ALIASES])
        raise ValueError(f"Unknown UI slot {slot!r}; known: {known}")
    return slot


@dataclass(frozen=True)
class SlotComponent:
    key: str
    template: str
    context: Callable[..., dict] | None = None
    order: int = 100
    plugin: str = ""  # the plugin that brings it ("" for the core apps)
    html: str = ""  # inline template source (plugins), instead of `template`


class UiSlots:
    def __init__(self):
        self._slots: dict[str, dict[str, SlotComponent]] = {}

    def register(self, slot: str, *, key: str, template: str, context=None, order: int = 100):
        slot = canonical_slot(slot)
        self._slots.setdefault(slot, {})[key] = SlotComponent(key, template, context, order)

    def unregister(self, slot: str, *, key: str) -> None:
        self._slots.get(canonical_slot(slot), {}).pop(key, None)

    def components(self, slot: str) -> list[SlotComponent]:
        """The core components of `slot` (plugins' come from `components_for_request`)."""
        return sorted(
            self._slots.get(canonical_slot(slot), {}).values(), key=lambda c: (c.order, c.key)
        )

    def components_for_tenant(self, slot: str) -> list[SlotComponent]:
        """Core components plus those of the plugins the current tenant enabled."""
        from panel1.plugins.state import enabled_plugins

        slot = canonical_slot(slot)
        found = list(self._slots.get(slot, {}).values())
        for plugin in enabled_plugins():
            spec = plugin.slots.get(slot)
            if spec is None:
                continue
            found.append(
                SlotComponent(
                    key=f"plugin:{plugin.name}",
                    template=spec.template,
                    context=plugin.slot_context(spec),
                    order=spec.order,
                    plugin=plugin.name,
                    html=spec.html,
                )
            )
        return sorted(found, key=lambda c: (c.order, c.key))


ui_slots = UiSlots()
