"""Portal reads. Visibility is the tickets app's rule (`visible_to`); the portal narrows it."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from panel1.exceptions import NotFound
from tickets.models import OPEN_STATUSES, Message, Organization, Status, Ticket
from tickets.querysets import shared_with_q
from tickets.selectors import ticket_get_for

CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED)
LIST_SCOPES = ("open", "closed", "all")


def portal_ticket_queryset(user, *, organization: bool = False) -> QuerySet[Ticket]:
    """The user's own requests (requested or CC'd), or with `organization` those of the
    members of their organization when it shares tickets; always within `visible_to`
    (staff see their own requests here, the desk lists the rest)."""
    qs = Ticket.objects.visible_to(user).select_related("category")
    if organization:
        return qs.filter(shared_with_q(user))
    return qs.filter(Q(requester=user) | Q(id__in=user.cc_tickets.values("id")))


def portal_shared_organization(user) -> Organization | None:
    """The customer's organization when it shares tickets among its members, else None."""
    if not user.is_authenticated or user.is_helpdesk_staff:
        return None
    return Organization.objects.filter(members__user=user, shares_tickets=True).first()


def portal_ticket_list(user, *, scope: str, organization: bool = False) -> QuerySet[Ticket]:
    qs = portal_ticket_queryset(user, organization=organization)
    if organization:
        qs = qs.select_related("requester")
    if scope == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif scope == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    return qs.order_by("-updated_at", "-pk")


def portal_ticket_counts(user, *, organization: bool = False) -> dict[str, int]:
    counts = portal_ticket_queryset(user, organization=organization).aggregate(
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
