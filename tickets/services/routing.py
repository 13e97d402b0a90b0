"""The ticket side of routing: record why a ticket stayed unassigned, and routing's own
assignment of a ticket it holds locked."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from panel1 import tenant_cache
from panel1.actors import Actor
from panel1.db_reads import rows_together
from panel1.events import bus, names
from panel1.sentinels import UNSET
from tickets.models import AgentLoadDelta, Ticket
from tickets.services.audit import audit, emit, touch
from tickets.services.locking import ticket_lock

ROUTING_EVENT = "ticket.routing"

# What a creation router's decision answers: the recording of it, run with `ticket.created`.
Recording = Callable[[bus.Event], None]


@dataclass(frozen=True)
class CreationRead:
    """What a creation router reads about a new ticket (`sql` with `params`, sent with the
    creation's own statement: one round trip) and what it decides from the rows: `decide`
    answers the recording of its decision, or None (decided after commit instead)."""

    sql: str
    params: list
    decide: Callable[[list[tuple]], Recording | None]


_creation_routers: list[Callable[..., CreationRead | None]] = []


def creation_router_register(router: Callable[..., CreationRead | None]) -> None:
    """Register `router(ticket=, actor=)`, asked for every new ticket before its INSERT
    (automation's routing: the layer above decides, the ticket services write); it answers
    the read its decision needs, or None."""
    if router not in _creation_routers:
        _creation_routers.append(router)


@tenant_cache.scope()  # the routers' read and decision see one configuration version
def creation_route(
    *, ticket: Ticket, actor: Actor, along: tuple[str, list]
) -> tuple[list[Recording], list[tuple]]:
    """Before a new ticket's row is written: a router may set its assignee and routing
    reason, so the row goes in with them (no UPDATE of the new row, no second index and
    trigger pass). The routers' reads go out with `along`, a statement of the creation's own
    (the ticket number's upsert), in one round trip. Answers the recordings to run once
    `ticket.created` is emitted (the history row and `ticket.assigned`, after the
    creation's own) and `along`'s rows."""
    reads = [read for router in _creation_routers if (read := router(ticket=ticket, actor=actor))]
    along_rows, *read_rows = rows_together([along, *((read.sql, read.params) for read in reads)])
    recordings = []
    for read, rows in zip(reads, read_rows, strict=True):
        recording = read.decide(rows)
        if recording is not None:
            recordings.append(recording)
    return recordings, along_rows


@transaction.atomic
def ticket_routing_note(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """Keep `reason` as the ticket's routing reason and say it in the history, once: a
    reason equal to the current one changes nothing (waiting tickets are retried often)."""
    return ticket_route_note(ticket=ticket_lock(ticket), actor=actor, reason=reason)


def ticket_route_note(
    *, ticket: Ticket, actor: Actor, reason: str, written: bool = False
) -> Ticket:
    """`ticket_routing_note` for a ticket the router holds (under its row lock, or created in
    this transaction): no re-lock and no savepoint; inside a `bus.batch()` the ticket update
    and history row go in with the batch's writes. `written`: the new ticket's row went in
    with the reason already (`creation_route`): only the history row."""
    if written:
        audit(ticket, actor, ROUTING_EVENT, field="routing_reason", after=reason, reason=reason)
        return ticket
    if ticket.routing_reason == reason:
        return ticket
    before = ticket.routing_reason
    ticket.routing_reason = reason
    touch(ticket, "routing_reason", with_batch=True)
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


@dataclass(frozen=True)
class RoutedAgent:
    """The agent routing chose, as its pool read them: an active staff user and the
    categories they are limited to (empty: every category)."""

    id: uuid.UUID
    email: str
    category_ids: frozenset[uuid.UUID] = frozenset()


def ticket_route_assign(
    *,
    ticket: Ticket,
    actor: Actor,
    assignee: RoutedAgent,
    reason: str,
    before_email: str | None = UNSET,
    written: bool = False,
) -> Ticket:
    """Assign a ticket the router holds under its row lock (`select_for_update` in the
    caller's transaction) to the agent it chose: the same change, history row and
    `ticket.assigned` event as `ticket_assign`, in three statements (no re-lock, no user
    load, no savepoint), or inside the router's `bus.batch()` none of its own (the ticket
    update, history and event rows go in with the batch's writes when it ends): routing
    runs this once per new ticket.

    The router read the agent from its pool of active staff in the same transaction; the
    category limit is checked here against what it read. `before_email` is the current
    assignee's email when the router read it with the ticket (else it is loaded).
    `written`: a new ticket whose row went in with this assignee (`creation_route`): no
    update, only the history row and the event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ticket_route_assign() runs inside the router's transaction.")
    if assignee.category_ids and ticket.category_id not in assignee.category_ids:
        raise ValueError(f"{assignee.email} does not work this ticket's category.")
    before_id = None if written else ticket.assignee_id
    if before_email is UNSET:
        before_email = ticket.assignee.email if before_id else None
    ticket.assignee_id = assignee.id
    ticket.routing_reason = reason
    if not written:
        touch(ticket, "assignee", "routing_reason", with_batch=True)
    audit(
        ticket,
        actor,
        names.TICKET_ASSIGNED,
        field="assignee",
        before=before_email,
        after=assignee.email,
        reason=reason,
    )
    emit(
        names.TICKET_ASSIGNED,
        ticket,
        actor,
        changes={"assignee": [before_id, assignee.id]},
    )
    return ticket


def agent_load_compact() -> int:
    """Fold the agents' load-delta rows into one row per agent (one statement: the rows it
    deletes are summed into the rows it inserts, so every reader sees the same sums before
    and after; rows of transactions still open are not visible to it and stay). Answers how
    many agents' rows remain. Outside a transaction the table is vacuumed after (`_vacuum`)."""
    table = AgentLoadDelta._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} RETURNING agent_id, tickets, load) "
            f"INSERT INTO {table} (agent_id, tickets, load, compacted) "
            "SELECT agent_id, sum(tickets), sum(load), true FROM gone GROUP BY agent_id "
            "HAVING sum(tickets) <> 0 OR sum(load) <> 0"
        )
        remaining = cursor.rowcount
    _vacuum(table)
    return remaining


def _vacuum(table: str) -> None:
    """VACUUM the (small) table the fold just emptied, so its space is used again: every
    routing decision reads the table whole, and a fold deletes every row it had; left to
    autovacuum alone (or with autovacuum off) the pages of deleted rows stay and are read by
    each decision (202 pages for 219 rows on the bench tenant after a few hundred folds with
    autovacuum off). Only outside a transaction (VACUUM cannot run in one): the per-tenant
    job, the routers' fold after commit."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")


def agent_load_compact_task() -> int:
    return agent_load_compact()


def agent_load_compact_due(now):
    """Tenants with load-delta rows written since the last compaction."""
    return AgentLoadDelta.objects.filter(compacted=False)
