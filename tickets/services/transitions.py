"""The status transition table and the one function that applies a checked transition."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from panel1.actors import Actor
from panel1.events import names
from tickets.models import Status, Ticket
from tickets.services.audit import audit, emit, touch

# The allowed status transitions: the one table the desk, API, portal and automation obey.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset(
        {
            Status.IN_PROGRESS,
            Status.WAITING_ON_CUSTOMER,
            Status.ON_HOLD,
            Status.RESOLVED,
            Status.CLOSED,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}
    ),
    Status.ON_HOLD: frozenset(
        {
            Status.OPEN,
            Status.IN_PROGRESS,
            Status.WAITING_ON_CUSTOMER,
            Status.RESOLVED,
            Status.CLOSED,
        }
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# What a customer may do to their own ticket: mark it resolved, or reopen a resolved one.
CUSTOMER_TRANSITIONS = {
    (Status.OPEN, Status.RESOLVED),
    (Status.IN_PROGRESS, Status.RESOLVED),
    (Status.WAITING_ON_CUSTOMER, Status.RESOLVED),
    (Status.ON_HOLD, Status.RESOLVED),
    (Status.RESOLVED, Status.OPEN),
}


def status_apply(
    ticket: Ticket, actor: Actor, status: str, *, reason: str = "", also: Iterable[str] = ()
) -> None:
    """Set `status` on a ticket locked by the caller (the transition is already checked):
    stamp resolved/closed times, write the audit row and emit the status events. `also`:
    fields the caller changed, saved in the same UPDATE."""
    before = ticket.status
    now = timezone.now()
    ticket.status = status
    fields = [*also, "status"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        if ticket.resolved_at is None:
            ticket.resolved_at = now
            fields.append("resolved_at")
    elif before in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    touch(ticket, *fields)
    audit(
        ticket,
        actor,
        names.TICKET_STATUS_CHANGED,
        field="status",
        before=before,
        after=status,
        reason=reason,
    )
    changes = {"status": [before, status]}
    emit(names.TICKET_STATUS_CHANGED, ticket, actor, changes=changes, reason=reason)
    if status == Status.RESOLVED:
        emit(names.TICKET_RESOLVED, ticket, actor, changes=changes)
    elif status == Status.CLOSED:
        emit(names.TICKET_CLOSED, ticket, actor, changes=changes)
