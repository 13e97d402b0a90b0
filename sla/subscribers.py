"""In-transaction subscribers: keep each ticket's SLA state in step with the ticket.

They run inside the ticket service's transaction (after it locked the ticket row), so the
answer to the request that changed the ticket already carries the new due times.
"""

from __future__ import annotations

from django.utils import timezone

from panel1.events.bus import Event
from panel1.ids import parse_uuid
from sla import services
from tickets.models import Message, MessageType, Ticket

RECOMPUTING_CHANGES = {"priority", "category"}


def _ticket(event: Event) -> Ticket | None:
    """The event's ticket; None for an event that names no ticket of this schema (such an
    event changes no ticket, so there is no clock to keep in step)."""
    ticket_id = parse_uuid(event.ticket_id)
    if isinstance(event.subject, Ticket) and event.subject.pk == ticket_id:
        return event.subject  # as the service just wrote it, in this transaction
    return Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None


def on_ticket_created(event: Event) -> None:
    ticket = _ticket(event)
    if ticket is not None:
        services.ticket_sla_start(
            ticket=ticket, now=ticket.created_at, new_ticket=event.subject is ticket
        )


def on_status_changed(event: Event) -> None:
    ticket = _ticket(event)
    if ticket is not None:
        before, after = event.payload["changes"]["status"]
        services.ticket_sla_status_change(
            ticket=ticket, before=before, after=after, now=timezone.now()
        )


def on_ticket_updated(event: Event) -> None:
    changed = RECOMPUTING_CHANGES & set(event.payload.get("changes") or {})
    ticket = _ticket(event) if changed else None
    if ticket is not None:
        reason = " and ".join(sorted(changed)).capitalize() + " changed"
        services.ticket_sla_rematch(ticket=ticket, reason=reason, now=timezone.now())


def on_message_added(event: Event) -> None:
    kind = event.payload.get("message_type")
    if kind not in (MessageType.STAFF_REPLY, MessageType.CUSTOMER_REPLY):
        return
    message = event.subject
    if not isinstance(message, Message) or str(message.pk) != event.payload.get("message_id"):
        message = (
            Message.objects.select_related("ticket")
            .filter(pk=event.payload.get("message_id"))
            .first()
        )
    if message is None:
        return
    if kind == MessageType.STAFF_REPLY:
        if not message.is_auto_response:
            services.ticket_sla_staff_reply(ticket=message.ticket, replied_at=message.created_at)
    else:
        services.ticket_sla_customer_reply(ticket=message.ticket, replied_at=message.created_at)
