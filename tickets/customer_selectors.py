"""Reads of customers and organizations, shared by the API and the desk (staff only)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from panel1.accounts.models import Role, User
from panel1.exceptions import NotFound
from panel1.ids import parse_uuid
from tickets.models import CustomerProfile, Organization, SatisfactionRating, Ticket


def customer_search_q(text: str) -> Q:
    """Name, email or organization name containing each word of `text`."""
    q = Q()
    for word in (text or "").split()[:5]:
        q &= (
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(customer_profile__organization__name__icontains=word)
        )
    return q


def customer_list(*, search: str = "", organization=None) -> QuerySet[User]:
    """Customers with their profile, organization and ticket count, by name then email."""
    qs = (
        User.objects.filter(role=Role.CUSTOMER)
        .select_related("customer_profile__organization")
        .annotate(ticket_count=Count("requested_tickets", distinct=True))
    )
    if search:
        qs = qs.filter(customer_search_q(search))
    if organization is not None:
        qs = qs.filter(customer_profile__organization=organization)
    return qs.order_by("name", "email", "pk")


def customer_get(ref: str) -> User:
    """A customer by id (404 for anyone else, staff included)."""
    pk = parse_uuid(str(ref or ""))
    customer = customer_list().filter(pk=pk).first() if pk else None
    if customer is None:
        raise NotFound({"detail": [_("No such customer.")]})
    return customer


def organization_list(*, search: str = "") -> QuerySet[Organization]:
    qs = Organization.objects.annotate(member_count=Count("members", distinct=True))
    for word in (search or "").split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(domains__icontains=word))
    return qs.order_by("name", "pk")


def organization_get(ref: str) -> Organization:
    pk = parse_uuid(str(ref or ""))
    organization = organization_list().filter(pk=pk).first() if pk else None
    if organization is None:
        raise NotFound({"detail": [_("No such organization.")]})
    return organization


def organization_tickets(user, organization: Organization) -> QuerySet[Ticket]:
    """Tickets requested by the organization's members that `user` may see."""
    return (
        Ticket.objects.visible_to(user)
        .filter(requester__customer_profile__organization=organization)
        .select_related("requester", "assignee", "category")
        .defer("search_vector")
        .order_by("-created_at", "-pk")
    )


def customer_tickets(user, customer: User) -> QuerySet[Ticket]:
    return (
        Ticket.objects.visible_to(user)
        .filter(requester=customer)
        .select_related("assignee", "category")
        .defer("search_vector")
        .order_by("-created_at", "-pk")
    )


def customer_satisfaction(user, customer: User) -> list[SatisfactionRating]:
    """The customer's ratings of tickets `user` may see, newest first."""
    visible = Ticket.objects.visible_to(user).filter(requester=customer).values("pk")
    return list(
        SatisfactionRating.objects.filter(ticket__in=visible)
        .select_related("ticket")
        .order_by("-created_at")[:50]
    )


def customer_profile_of(user: User):
    """The profile if one exists (customers created before profiles existed have none)."""
    try:
        return user.customer_profile
    except User.customer_profile.RelatedObjectDoesNotExist:
        return None


def customer_profile_get(user_id) -> CustomerProfile | None:
    """One query: the profile of `user_id` with its organization, or None."""
    return CustomerProfile.objects.select_related("organization").filter(user_id=user_id).first()
