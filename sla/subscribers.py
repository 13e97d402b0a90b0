"""In-transaction subscribers: keep each ticket's SLA state in step with the ticket.

They run inside the ticket service's transaction (after it locked the ticket row), so the
answer to the request that changed the ticket already carries the new due times.
"""

from __future__ import annotations

from django.utils import timezone

from panel1.events.bus import Event
from sla import services
from tickets.models import Message, MessageType, Ticket

RECOMPUTING_CHANGES = {"priority", "category"}


def _ticket(event: Event) -> Ticket:
    return Ticket.objects.get(pk=event.ticket_id)


def on_ticket_created(event: Event) -> None:
    ticket = _ticket(event)
    services.ticket_sla_start(ticket=ticket, now=ticket.created_at)


def on_status_changed(event: Event) -> None:
    before, after = event.payload["changes"]["status"]
    services.ticket_sla_status_change(
        ticket=_ticket(event), before=before, after=after, now=timezone.now()
    )


def on_ticket_updated(event: Event) -> None:
    changed = RECOMPUTING_CHANGES & set(event.payload.get("changes") or {})
    if changed:
        reason = " and ".join(sorted(changed)).capitalize() + " changed"
        services.ticket_sla_rematch(ticket=_ticket(event), reason=reason, now=timezone.now())


def on_message_added(event: Event) -> None:
    kind = event.payload.get("message_type")
    if kind not in (MessageType.STAFF_REPLY, MessageType.CUSTOMER_REPLY):
        return
    message = Message.objects.select_related("ticket").get(pk=event.payload["message_id"])
    if kind == MessageType.STAFF_REPLY:
        if not message.is_auto_response:
            services.ticket_sla_staff_reply(ticket=message.ticket, replied_at=message.created_at)
    else:
        services.ticket_sla_customer_reply(ticket=message.ticket, replied_at=message.created_at)
