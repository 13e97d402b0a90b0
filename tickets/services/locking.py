"""Row locks and merge-pointer resolution shared by the ticket services."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

from panel1.db_reads import CompiledRead
from panel1.exceptions import Conflict, PreconditionFailed
from tickets.models import Ticket
from tickets.querysets import sees_every_ticket
from tickets.selectors import ticket_find, ticket_get_for, ticket_ref_lookup

MAX_MERGE_DEPTH = 20


class TicketVersionConflict(PreconditionFailed):
    """The ticket changed since the caller's version; `ticket` is the current one."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        super().__init__(
            {"detail": [f"{ticket.number} was changed meanwhile (now version {ticket.version})."]}
        )


class TicketAlreadyAssigned(Conflict):
    """`only_if_unassigned` and someone else holds the ticket; `ticket` is the current one."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        holder = ticket.assignee.get_full_name() or ticket.assignee.email
        super().__init__({"detail": [f"{ticket.number} is already assigned to {holder}."]})


@dataclass(frozen=True)
class TicketRef:
    """A ticket as a caller names it (UUID or number) and not read yet: the service reads it
    with `user`'s visibility under its row lock, so the API's visibility check, the read and
    the lock are one statement (NotFound if `user` may not see it)."""

    user: Any
    ref: str


# The row lock every ticket service takes first: compiled once per connection (the
# statement of `select_for_update().get(pk=...)`).
_TICKET_FOR_UPDATE = CompiledRead(
    lambda pk: Ticket.objects.select_for_update().filter(pk=pk).order_by(), pk=uuid.UUID
)


def ticket_lock(ticket: Ticket, expected_versions: Collection[int] | None = None) -> Ticket:
    """Re-read the ticket under a row lock: concurrent changes to one ticket queue here.

    With `expected_versions` (If-Match, or the version a desk form was rendered from), a
    ticket changed meanwhile raises TicketVersionConflict: the check and the write happen
    under the same lock, so two editors of one version cannot both win.
    """
    locked = _TICKET_FOR_UPDATE.first(pk=ticket.pk)
    if locked is None:
        raise Ticket.DoesNotExist(f"{Ticket._meta.object_name} matching query does not exist.")
    if expected_versions is not None and locked.version not in expected_versions:
        raise TicketVersionConflict(locked)
    return locked


def ticket_expect_version(*, ticket: Ticket, expected_versions: Collection[int]) -> Ticket:
    """Lock the ticket for the caller's transaction; raise TicketVersionConflict if it is no
    longer at one of `expected_versions`. For a form that applies several changes with
    several services: check once, then change under the same lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ticket_expect_version() must run inside a transaction.")
    return ticket_lock(ticket, expected_versions)


def _unmerged_locked(**lookup) -> QuerySet[Ticket]:
    return Ticket.objects.filter(merged_into=None, **lookup).select_for_update().order_by("pk")[:1]


# Every reply of a caller who sees every ticket (`sees_every_ticket`) reads its ticket this
# way: compiled once (`panel1.db_reads`), the same statement as `ticket_find` builds for them.
_UNMERGED_LOCKED_BY_ID = CompiledRead(lambda pk: _unmerged_locked(pk=pk), pk=uuid.UUID)
_UNMERGED_LOCKED_BY_NUMBER = CompiledRead(lambda number: _unmerged_locked(number=number), "number")


def ticket_lock_survivor(ticket: Ticket | TicketRef) -> Ticket:
    """The ticket, or the survivor it was merged into, re-read under a row lock."""
    if isinstance(ticket, TicketRef):
        # One statement in the usual case. A merged ticket is not locked, only its survivor
        # (as for a ticket given as an instance): a lock on the source held while waiting for
        # the survivor's would invert the pk order of a merge or delete locking both.
        locked = _visible_unmerged_locked(ticket)
        if locked is not None:
            return locked
        ticket = ticket_get_for(ticket.user, ticket.ref)
    return ticket_lock(ticket_resolve_merged(ticket))


def _visible_unmerged_locked(ticket: TicketRef) -> Ticket | None:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    if not sees_every_ticket(ticket.user):
        visible = Ticket.objects.visible_to(ticket.user)
        return ticket_find(visible.filter(merged_into=None).select_for_update(), ticket.ref)
    lookup = ticket_ref_lookup(ticket.ref)
    if "pk" in lookup:
        return _UNMERGED_LOCKED_BY_ID.first(**lookup)
    return _UNMERGED_LOCKED_BY_NUMBER.first(**lookup)


def ticket_resolve_merged(ticket: Ticket) -> Ticket:
    """Follow `merged_into` pointers to the surviving ticket (mail to old numbers lands there)."""
    seen = {ticket.pk}
    while ticket.merged_into_id is not None and len(seen) < MAX_MERGE_DEPTH:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        if ticket.pk in seen:
            break
        seen.add(ticket.pk)
    return ticket
