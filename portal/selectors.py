"""Portal reads. Visibility is the tickets app's rule (`visible_to`); the portal narrows it."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from panel1.exceptions import NotFound
from tickets.models import OPEN_STATUSES, Message, Status, Ticket
from tickets.selectors import ticket_get_for

CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED)
LIST_SCOPES = ("open", "closed", "all")


def portal_ticket_queryset(user) -> QuerySet[Ticket]:
    """The user's own requests: requested or CC'd. For customers that is exactly what
    `visible_to` allows; staff see their own requests here (the desk lists the rest)."""
    qs = Ticket.objects.visible_to(user).select_related("category")
    if user.is_helpdesk_staff:
        qs = qs.filter(Q(requester=user) | Q(cc=user)).distinct()
    return qs


def portal_ticket_list(user, *, scope: str) -> QuerySet[Ticket]:
    qs = portal_ticket_queryset(user)
    if scope == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif scope == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    return qs.order_by("-updated_at", "-pk")


def portal_ticket_counts(user) -> dict[str, int]:
    counts = portal_ticket_queryset(user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES), distinct=True),
        closed=Count("pk", filter=Q(status__in=CLOSED_STATUSES), distinct=True),
    )
    counts["all"] = counts["open"] + counts["closed"]
    return counts


def portal_ticket_get(user, ref: str) -> Ticket:
    """The ticket by number or id if the visibility rule lets `user` see it; else 404."""
    try:
        return ticket_get_for(user, ref)
    except NotFound as exc:
        raise Http404("No such ticket.") from exc


def portal_messages(user, ticket: Ticket) -> QuerySet[Message]:
    """The public conversation: customer and staff replies, never notes or system rows."""
    return (
        Message.objects.visible_to(user)
        .public()
        .filter(ticket=ticket)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def is_participant(user, ticket: Ticket) -> bool:
    return ticket.requester_id == user.pk or ticket.cc.filter(pk=user.pk).exists()
