"""Agent replies for channel plugins (`Plugin.channel`, hook `channel.reply`).

A channel plugin files tickets and customer messages through the core services (`ctx.tickets
.create`, `add_customer_reply`); when staff reply on a ticket of its channel, the plugin's
`channel.reply` hook gets the reply for delivery (SMS, a messenger, a chat), in a queued job
after commit, once per reply. The core mails the reply to the requester as for every ticket.
"""

from __future__ import annotations

import uuid
from typing import Any

from panel1.plugins.state import plugins_with_hook

CHANNEL_REPLY = "channel.reply"
STAFF_REPLY = "STAFF_REPLY"


def on_message_added(event) -> None:
    """After commit: queue the delivery of a staff reply if a channel plugin takes replies."""
    if event.payload.get("message_type") != STAFF_REPLY:
        return
    if not any(plugin.channel for plugin in plugins_with_hook(CHANNEL_REPLY)):
        return
    from panel1 import jobs

    jobs.enqueue("panel1.plugins.channel_replies.channel_reply_task", event.id)


def channel_reply_task(event_id: str) -> bool:
    """Hand the staff reply of a `message.added` event to the plugin of its ticket's channel;
    answers whether the plugin's hook ran."""
    from panel1.events.models import EventRecord
    from panel1.exceptions import NotFound
    from panel1.plugins.context import capability, context_for
    from panel1.plugins.hooks import call_isolated, claim_delivery, failed

    by_channel = {p.channel: p for p in plugins_with_hook(CHANNEL_REPLY) if p.channel}
    record = EventRecord.objects.filter(id=event_id).first()
    if record is None or not by_channel:
        return False
    payload = record.payload or {}
    any_plugin = next(iter(by_channel.values()))
    tickets = capability("tickets", context_for(any_plugin))
    try:
        ticket = tickets.get(str(payload.get("ticket_id")))
    except NotFound:
        return False
    plugin = by_channel.get(ticket["channel"])
    if plugin is None:
        return False
    message = next(
        (m for m in tickets.messages(ticket["id"]) if m["id"] == str(payload.get("message_id"))),
        None,
    )
    if message is None or message["message_type"] != STAFF_REPLY:
        return False
    once = uuid.uuid5(uuid.NAMESPACE_URL, f"panel1-channel-reply:{record.id}")
    if not claim_delivery(once, plugin.name):
        return False
    return not failed(call_isolated(plugin, CHANNEL_REPLY, reply_payload(ticket, message)))


def reply_payload(ticket: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket_id": ticket["id"],
        "number": ticket["number"],
        "channel": ticket["channel"],
        "requester_email": ticket["requester_email"],
        "message_id": message["id"],
        "content": message["content"],
        "author_name": message["author_name"],
        "created_at": message["created_at"],
    }
