"""Reads of the desk's own rows: canned responses to offer, who else has a ticket open, the
queue filter form's choices."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from desk.models import CannedResponse, TicketPresence
from panel1.accounts.models import STAFF_ROLES, User
from panel1.db_reads import CompiledRead
from tickets.models import Category, Ticket
from tickets.querysets import sees_every_ticket


def canned_response_list_for(
    user: User, *, query: str = "", category_id=None, limit: int = 15
) -> list[CannedResponse]:
    """Shared and own active canned responses matching `query` (title, shortcut or text);
    those of the ticket's category first, then the most used."""
    qs = CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=user), is_active=True)
    for word in (query or "").split()[:5]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(shortcut__icontains=word) | Q(content__icontains=word)
        )
    ordering = ["-usage_count", "title"]
    if category_id:
        first = When(category_id=category_id, then=Value(0))
        ordering.insert(0, Case(first, default=Value(1), output_field=IntegerField()))
    return list(qs.order_by(*ordering)[:limit])


# Read on every ticket page and presence poll: compiled once per connection.
_OTHERS_PRESENT = CompiledRead(
    lambda ticket_id, user_id, now: (
        TicketPresence.objects.filter(ticket_id=ticket_id, expires_at__gt=now)
        .exclude(user_id=user_id)
        .select_related("user")
        .order_by("user__name", "user__email")
    ),
    ticket_id=uuid.UUID,
    user_id=uuid.UUID,
    now=datetime,
)


def presence_list_others(*, ticket: Ticket, user: User) -> list[TicketPresence]:
    """Who else has the ticket open right now (rows not yet expired)."""
    read, values = presence_others_read(ticket=ticket, user=user)
    return read.all(**values)


def presence_others_read(*, ticket: Ticket, user: User) -> tuple[CompiledRead, dict]:
    """`presence_list_others`' read and values (`panel1.db_reads.all_together`)."""
    return _OTHERS_PRESENT, {"ticket_id": ticket.pk, "user_id": user.pk, "now": timezone.now()}


def _requester_others(*, limit: int) -> CompiledRead:
    return CompiledRead(
        lambda requester_id, ticket_id: (
            Ticket.objects.filter(requester_id=requester_id)
            .exclude(pk=ticket_id)
            .order_by("-created_at")
            .only("id", "number", "subject", "status", "created_at")[:limit]
        ),
        requester_id=uuid.UUID,
        ticket_id=uuid.UUID,
    )


_REQUESTER_OTHERS: dict[int, CompiledRead] = {}


def requester_other_tickets(*, ticket: Ticket, user: User, limit: int) -> list[Ticket]:
    """The requester's other tickets that `user` may see, newest first (id, number, subject,
    status, created_at); compiled once per connection for readers who see every ticket."""
    compiled = requester_other_tickets_read(ticket=ticket, user=user, limit=limit)
    if compiled is None:
        return list(
            Ticket.objects.visible_to(user)
            .filter(requester_id=ticket.requester_id)
            .exclude(pk=ticket.pk)
            .order_by("-created_at")
            .only("id", "number", "subject", "status", "created_at")[:limit]
        )
    read, values = compiled
    return read.all(**values)


def requester_other_tickets_read(
    *, ticket: Ticket, user: User, limit: int
) -> tuple[CompiledRead, dict] | None:
    """`requester_other_tickets`' read and values (`panel1.db_reads.all_together`), for a
    reader who sees every ticket; None for others (their SQL holds their limits)."""
    if not sees_every_ticket(user):
        return None
    read = _REQUESTER_OTHERS.get(limit)
    if read is None:
        read = _REQUESTER_OTHERS[limit] = _requester_others(limit=limit)
    return read, {"requester_id": ticket.requester_id, "ticket_id": ticket.pk}


def canned_response_usable(user: User, pk) -> CannedResponse | None:
    """An active canned response or macro `user` may use (shared or their own)."""
    return (
        CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=user), is_active=True)
        .filter(pk=pk)
        .first()
    )


# The queue filter form's choices, read on every queue page: compiled once per connection
# and prepared (`panel1.db_reads`).
_CATEGORY_CHOICES = CompiledRead(
    lambda: Category.objects.order_by("name").only("id", "name", "is_active")
)
_STAFF_CHOICES = CompiledRead(
    lambda: (
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .order_by("name", "email")
        .only("id", "name", "email")
    )
)


def category_choices() -> list[Category]:
    """Every category by name (id, name, is_active)."""
    return _CATEGORY_CHOICES.all()


def staff_choices() -> list[User]:
    """Active staff by name (id, name, email), as `desk.forms.staff_users` orders them."""
    return _STAFF_CHOICES.all()
