"""Row locks and merge-pointer resolution shared by the ticket services."""

from __future__ import annotations

from tickets.models import Ticket

MAX_MERGE_DEPTH = 20


def ticket_lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock: concurrent changes to one ticket queue here."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def ticket_resolve_merged(ticket: Ticket) -> Ticket:
    """Follow `merged_into` pointers to the surviving ticket (mail to old numbers lands there)."""
    seen = {ticket.pk}
    while ticket.merged_into_id is not None and len(seen) < MAX_MERGE_DEPTH:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        if ticket.pk in seen:
            break
        seen.add(ticket.pk)
    return ticket
