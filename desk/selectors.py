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
    return _OTHERS_PRESENT.all(ticket_id=ticket.pk, user_id=user.pk, now=timezone.now())


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
