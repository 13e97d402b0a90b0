"""Audit rows and events: every change writes a TicketEvent and emits after commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import F
from django.utils import timezone

from panel1.actors import Actor
from panel1.db_writes import update_one, update_sql
from panel1.events import bus
from tickets.models import Ticket, TicketEvent


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def audit(
    ticket: Ticket,
    actor: Actor,
    event: str,
    *,
    field: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> TicketEvent:
    row = TicketEvent(
        ticket=ticket,
        actor=actor.user,
        actor_label=actor.display,
        event=event,
        field=field,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    # Inside a service's `bus.batch()` the rows of one change go in with one statement.
    if not bus.defer_insert(row):
        row.save(force_insert=True)
    return row


def emit(
    name: str, ticket: Ticket, actor: Actor, *, subject: Any = None, **payload: Any
) -> bus.Event:
    """Emit `name` about `ticket`; in-process subscribers get `subject` (default: the ticket)
    as `event.subject`."""
    body = {"ticket_id": str(ticket.pk), "ticket_number": ticket.number}
    body.update({key: _jsonable(value) for key, value in payload.items()})
    return bus.emit(
        name,
        payload=body,
        actor=actor.event_actor,
        chain=actor.chain,
        subject=ticket if subject is None else subject,
    )


def touch(ticket: Ticket, *fields: str, with_batch: bool = False) -> None:
    """Save `fields`, bump updated_at (the desk's live refresh keys on it) and the version.

    The version grows once per service call: the services re-read the ticket under a row
    lock (a fresh instance), so a reply that also moves the status counts as one change.
    With `with_batch`, inside a `bus.batch()` the UPDATE goes in with the batch's other
    writes when it ends (for a caller that holds the row locked and reads it no more).
    """
    ticket.updated_at = timezone.now()
    if not getattr(ticket, "_version_bumped", False):
        ticket.version += 1
        ticket._version_bumped = True
    names = [*fields, "updated_at", "version"]
    if with_batch and bus.defer_statement(*update_sql(ticket, names)):
        return
    update_one(ticket, names)  # save(update_fields=names), its statement compiled once


def touch_bulk(tickets: list[Ticket]) -> None:
    """`touch` for many tickets with one UPDATE: bump updated_at and each version by one (in
    the database and on the instances)."""
    if not tickets:
        return
    now = timezone.now()
    Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets]).update(
        updated_at=now, version=F("version") + 1
    )
    for ticket in tickets:
        ticket.updated_at = now
        ticket.version += 1


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a ticket's history, for `ticket_history_record_bulk`."""

    ticket_id: UUID | str
    event: str
    field: str = ""
    before: Any = None
    after: Any = None
    reason: str = ""


def ticket_history_record_bulk(*, actor: Actor, entries: Iterable[HistoryEntry]) -> int:
    """Append history rows to many tickets in one INSERT; return how many.

    For other apps' batch jobs (the SLA monitor, SLA re-derivation) that change derived
    state of many tickets at once. Call it inside the caller's transaction; it emits nothing.
    """
    rows = [
        TicketEvent(
            ticket_id=entry.ticket_id,
            actor=actor.user,
            actor_label=actor.display,
            event=entry.event,
            field=entry.field,
            before=_jsonable(entry.before),
            after=_jsonable(entry.after),
            reason=entry.reason,
        )
        for entry in entries
    ]
    TicketEvent.objects.bulk_create(rows)
    return len(rows)
