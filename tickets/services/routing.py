"""The ticket side of routing: record why a ticket stayed unassigned."""

from __future__ import annotations

from django.db import transaction

from panel1.actors import Actor
from tickets.models import Ticket
from tickets.services.audit import audit, touch
from tickets.services.locking import ticket_lock

ROUTING_EVENT = "ticket.routing"


@transaction.atomic
def ticket_routing_note(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """Keep `reason` as the ticket's routing reason and say it in the history, once: a
    reason equal to the current one changes nothing (waiting tickets are retried often)."""
    ticket = ticket_lock(ticket)
    if ticket.routing_reason == reason:
        return ticket
    before = ticket.routing_reason
    ticket.routing_reason = reason
    touch(ticket, "routing_reason")
    audit(
        ticket,
        actor,
        ROUTING_EVENT,
        field="routing_reason",
        before=before,
        after=reason,
        reason=reason,
    )
    return ticket
