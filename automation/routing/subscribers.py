"""When routing runs: after-commit subscribers of the event bus.

Registered in `AutomationConfig.ready()` after the automation engine, so for one event the
rules run first and a ticket a rule assigned is not routed (`ticket_route` skips assigned
tickets). Each handler runs in its own transaction (the bus isolates failures). A new ticket
of a tenant without active `ticket.created` rules is routed before its row is written
instead (`services.new_ticket_route`, the creation router of the ticket services): the same
order in effect, and the assignment is in the creation's answer.
"""

from __future__ import annotations

from automation.engine import has_active_rules
from automation.routing import services
from panel1.accounts.models import User
from panel1.events import names
from panel1.events.bus import Event
from tickets.models import OPEN_STATUSES, Status, Ticket

CLOSED = (Status.RESOLVED, Status.CLOSED)


def _actor(event: Event):
    return services.routing_actor(chain=event.chain)


def new_ticket_router(*, ticket: Ticket, actor) -> services.CreationRead | None:
    """The creation router (`tickets.services.routing.creation_route`): a new ticket is routed
    before its row is written when no automation rule of `ticket.created` is active (the
    rules run after commit, and routing runs after them: a ticket a rule assigned is not
    routed); else, or when the routing state is busy, routing happens after commit."""
    if has_active_rules(names.TICKET_CREATED):
        return None
    return services.new_ticket_route(ticket=ticket, actor=services.routing_actor())


def on_ticket_created(event: Event) -> None:
    if services.routed_at_creation(event):
        return  # decided before the ticket's row was written
    services.ticket_route(ticket_id=event.ticket_id, actor=_actor(event))


def on_ticket_assigned(event: Event) -> None:
    """An unassigned ticket goes back to routing; the agent who gave it back is skipped."""
    before, after = (event.payload.get("changes", {}).get("assignee") or [None, None])[:2]
    if after is None and before is not None:
        services.ticket_route(ticket_id=event.ticket_id, actor=_actor(event), exclude=[before])


def on_status_changed(event: Event) -> None:
    """A reopened ticket whose agent is unavailable is routed again (force)."""
    before, after = (event.payload.get("changes", {}).get("status") or [None, None])[:2]
    if before not in CLOSED or after not in OPEN_STATUSES:
        return
    assignee_id = (
        Ticket.objects.filter(pk=event.ticket_id).values_list("assignee_id", flat=True).first()
    )
    if assignee_id is not None and services.agent_is_available(assignee_id):
        return
    services.ticket_route(
        ticket_id=event.ticket_id,
        actor=_actor(event),
        force=True,
        exclude=[assignee_id] if assignee_id else [],
    )


def on_availability_changed(event: Event) -> None:
    """Available now: route the waiting queue. Gone (with `reroute_when_offline`): give
    their untouched tickets back to routing."""
    user_id = event.payload.get("user_id")
    if services.agent_is_available(user_id):
        services.waiting_tickets_route(actor=_actor(event))
        return
    if not services.routing_settings_get().reroute_when_offline:
        return
    agent = User.objects.select_related("agent_profile").filter(pk=user_id).first()
    if agent is not None:
        services.untouched_tickets_return(agent=agent, actor=_actor(event))


SUBSCRIPTIONS = (
    (names.TICKET_CREATED, on_ticket_created),
    (names.TICKET_ASSIGNED, on_ticket_assigned),
    (names.TICKET_STATUS_CHANGED, on_status_changed),
    (names.AGENT_AVAILABILITY_CHANGED, on_availability_changed),
)
