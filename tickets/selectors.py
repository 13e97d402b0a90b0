"""Reads shared by the API, the desk and the portal. Visibility comes from `visible_to`."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db.models import QuerySet

from panel1.exceptions import NotFound
from panel1.ids import parse_uuid
from tickets.models import Message, MessageType, Ticket, priority_rank

SEARCH_CONFIG = "english"


def ticket_queryset_for(user) -> QuerySet[Ticket]:
    qs = Ticket.objects.visible_to(user).with_list_relations().select_related("satisfaction")
    if hasattr(Ticket, "sla_state"):
        qs = qs.select_related("sla_state")
    return qs


def ticket_get_for(user, ticket_ref: str, *, related: tuple[str, ...] = ()) -> Ticket:
    """The ticket by UUID or by number (case-insensitive), if `user` may see it; else 404.
    `related` adds select_related paths a page needs (one query either way)."""
    qs = ticket_queryset_for(user)
    if related:
        qs = qs.select_related(*related)
    ref = (ticket_ref or "").strip()
    ticket_id = parse_uuid(ref)
    if ticket_id is None:
        ticket = qs.filter(number=ref.upper()).first()  # stored upper-case; uses the index
    else:
        ticket = qs.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound({"detail": ["No such ticket."]})
    return ticket


def ticket_search(qs: QuerySet[Ticket], text: str, *, user) -> QuerySet[Ticket]:
    """Full text over subject and messages (public ones for customers), or the exact number."""
    text = (text or "").strip()
    if not text:
        return qs
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    messages = Message.objects.filter(search_vector=query)
    if not user.is_helpdesk_staff:
        messages = messages.filter(
            message_type__in=[MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY]
        )
    # A UNION of ids lets each branch use its own index (number, subject GIN, message GIN);
    # one OR across the three made PostgreSQL scan every ticket row.
    matches = (
        Ticket.objects.filter(number=text.upper())  # numbers are stored upper-case
        .values("id")
        .union(
            Ticket.objects.filter(search_vector=query).values("id"),
            messages.values("ticket_id"),
        )
    )
    return qs.filter(id__in=matches)


def ticket_order(qs: QuerySet[Ticket], ordering: str) -> QuerySet[Ticket]:
    if ordering.lstrip("-") == "priority":
        rank = priority_rank()
        expression = rank.desc() if ordering.startswith("-") else rank.asc()
        return qs.order_by(expression, "-created_at", "-pk")
    # The tie-breaker follows the direction, so each ordering is one index scan and a keyset
    # (`?cursor=`) compares one row value.
    return qs.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")


def messages_for(user, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    if not user.is_helpdesk_staff:
        qs = qs.filter(message_type__in=[MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY])
    return qs.order_by("created_at", "pk")
