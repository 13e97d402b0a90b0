"""Chainable reads. `visible_to` is THE visibility rule for tickets and messages: the API, the
desk, the portal, email and search all go through it."""

from django.db import models
from django.db.models import Q


class TicketQuerySet(models.QuerySet):
    def open(self):
        from tickets.models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def visible_to(self, user):
        """Tickets `user` may see.

        Admins and supervisors see all; an agent whose profile names categories sees those
        categories plus tickets assigned to them; customers see tickets they requested or are
        CC'd on, and those of their organization's members when it shares tickets; anyone
        else sees nothing.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_every_ticket(user):
            return self
        if user.is_helpdesk_staff:
            return self.filter(Q(category_id__in=agent_category_ids(user)) | Q(assignee=user))
        cc_ids = user.cc_tickets.values("id")
        return self.filter(Q(requester=user) | Q(id__in=cc_ids) | shared_with_q(user))

    def with_list_relations(self):
        return self.select_related("requester", "assignee", "category")


class MessageQuerySet(models.QuerySet):
    def public(self):
        from tickets.models import MessageType

        return self.filter(message_type__in=[MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY])

    def visible_to(self, user):
        """Messages of tickets `user` may see; customers never get internal notes or system rows."""
        from tickets.models import Ticket

        tickets = Ticket.objects.visible_to(user)
        qs = self.filter(ticket__in=tickets.values("id"))
        if not user.is_helpdesk_staff:
            qs = qs.public()
        return qs


def shared_with_q(user) -> Q:
    """Tickets requested by members of `user`'s organization, when it shares tickets among
    its members (one subquery, no extra round trip)."""
    from tickets.models import CustomerProfile

    colleagues = CustomerProfile.objects.filter(
        organization__shares_tickets=True, organization__members__user=user
    ).values("user_id")
    return Q(requester_id__in=colleagues)


def sees_every_ticket(user) -> bool:
    """`visible_to(user)` filters nothing: an admin, a supervisor or an agent without a
    category limit (callers that read one fixed SQL shape for them rely on this)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_supervisor_or_admin:
        return True
    return user.is_helpdesk_staff and not agent_category_ids(user)


def agent_category_ids(user) -> list:
    """Category ids an agent is limited to (empty = all), from the tenant's cached map
    (`tickets.agent_scope`) and kept on the user object."""
    if not hasattr(user, "_agent_category_ids"):
        from tickets.agent_scope import category_ids_for

        user._agent_category_ids = category_ids_for(user)
    return user._agent_category_ids
