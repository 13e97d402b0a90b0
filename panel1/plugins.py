"""Plugin UI slots: named places in the pages where plugins render components.

    from panel1.plugins import ui_slots
    ui_slots.register("ticket.sidebar", key="crm", template="crm/_sidebar.html",
                      context=lambda request, **kw: {"customer": ...})

Templates render a slot with
`{% load panel1_plugins %}{% ui_slot "ticket.sidebar" ticket=ticket %}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = ("ticket.sidebar", "desk.dashboard")


@dataclass(frozen=True)
class SlotComponent:
    key: str
    template: str
    context: Callable[..., dict] | None = None
    order: int = 100


class UiSlots:
    def __init__(self):
        self._slots: dict[str, dict[str, SlotComponent]] = {}

    def register(self, slot: str, *, key: str, template: str, context=None, order: int = 100):
        if slot not in SLOTS:
            raise ValueError(f"Unknown UI slot {slot!r}; known: {', '.join(SLOTS)}")
        self._slots.setdefault(slot, {})[key] = SlotComponent(key, template, context, order)

    def unregister(self, slot: str, *, key: str) -> None:
        self._slots.get(slot, {}).pop(key, None)

    def components(self, slot: str) -> list[SlotComponent]:
        return sorted(self._slots.get(slot, {}).values(), key=lambda c: (c.order, c.key))


ui_slots = UiSlots()
