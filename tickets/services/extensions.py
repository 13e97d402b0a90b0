"""Where the ticket services call plugin hooks (panel1.plugins): filters, vetoes, after-hooks.

Payloads carry ids and plain values, never live model instances.
"""

from __future__ import annotations

from typing import Any

from panel1.actors import Actor
from panel1.plugins import hooks

REPLY_TYPES = ("CUSTOMER_REPLY", "STAFF_REPLY", "INTERNAL_NOTE")


def plugin_channels() -> set[str]:
    """Upper-case channel names that installed channel plugins bring (e.g. CHAT)."""
    from panel1.plugins.registry import registry

    return {plugin.channel for plugin in registry.all() if plugin.channel}


def new_ticket_data(*, actor: Actor, requester, data: dict[str, Any]) -> dict[str, Any]:
    """Filter the new ticket's data, then let plugins veto the creation (raises HookVetoed)."""
    meta = {"actor": actor.event_actor, "requester_email": requester.email}
    data = hooks.apply_filter("filter.ticket_data", data, meta)
    hooks.run_before("before_ticket_create", {**data, **meta})
    return data


def ticket_created(ticket) -> None:
    hooks.run_after("after_ticket_create", {"ticket_id": str(ticket.pk), "number": ticket.number})


def status_before(*, ticket, actor: Actor, before: str, after: str, reason: str) -> None:
    hooks.run_before("before_status_change", _status_payload(ticket, actor, before, after, reason))


def status_after(*, ticket, actor: Actor, before: str, after: str, reason: str) -> None:
    hooks.run_after("after_status_change", _status_payload(ticket, actor, before, after, reason))


def _status_payload(ticket, actor: Actor, before: str, after: str, reason: str) -> dict:
    return {
        "ticket_id": str(ticket.pk),
        "number": ticket.number,
        "from": before,
        "to": after,
        "reason": reason,
        "actor": actor.event_actor,
    }


def message_content(
    *, ticket, actor: Actor, content: str, message_type: str, channel: str, initial: bool
) -> str:
    """Filter a message's text before it is stored; a reply may be vetoed (HookVetoed)."""
    meta = {
        "ticket_id": str(ticket.pk),
        "number": ticket.number,
        "message_type": message_type,
        "channel": channel,
        "initial": initial,
        "actor": actor.event_actor,
    }
    content = hooks.apply_filter("filter.message_content", content, meta)
    if not initial and message_type in REPLY_TYPES:
        hooks.run_before("before_reply", {**meta, "content": content})
    return content


def message_added(*, ticket, message) -> None:
    if message.message_type in REPLY_TYPES:
        payload = {
            "ticket_id": str(ticket.pk),
            "number": ticket.number,
            "message_id": str(message.pk),
            "message_type": message.message_type,
        }
        hooks.run_after("after_reply", payload)
