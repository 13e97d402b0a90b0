"""Reads about agents shared by the API and the desk: staff with their routing data and load."""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from panel1.accounts.models import STAFF_ROLES, User
from panel1.db_reads import CompiledRead
from panel1.exceptions import NotFound
from panel1.ids import parse_uuid
from tickets.models import OPEN_STATUSES, AgentProfile, Ticket


def open_tickets_subquery():
    """Open tickets assigned to the outer user (one index range scan on assignee+status)."""
    return Coalesce(
        Subquery(
            Ticket.objects.filter(assignee=OuterRef("pk"), status__in=OPEN_STATUSES)
            .order_by()
            .values("assignee")
            .annotate(n=Count("*"))
            .values("n")[:1]
        ),
        0,
    )


def _with_load(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.select_related("agent_profile").annotate(
        open_tickets=open_tickets_subquery(),
        category_ids=ArrayAgg(
            "agent_profile__categories__id",
            filter=Q(agent_profile__categories__isnull=False),
            default=[],
        ),
    )


def agent_list() -> QuerySet[User]:
    """Active staff users with `open_tickets`, `category_ids` and their profile joined."""
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    return _with_load(staff).order_by("name", "email")


_AGENT_LIST = CompiledRead(agent_list)


def agent_list_read() -> list[User]:
    """`agent_list()`'s users, from its SQL compiled once per connection: every desk ticket
    page lists the agents (compiling the two annotations cost more than reading them)."""
    return _AGENT_LIST.all()


def agent_get(agent_id) -> User:
    """A staff user by id, with the annotations of `agent_list`; customers, unknown or
    malformed ids are NotFound."""
    pk = parse_uuid(str(agent_id))
    agent = _with_load(User.objects.filter(pk=pk, role__in=STAFF_ROLES)).first() if pk else None
    if agent is None:
        raise NotFound({"detail": [_("No such agent.")]})
    return agent


def profile_of(user: User) -> AgentProfile | None:
    try:
        return user.agent_profile
    except AgentProfile.DoesNotExist:
        return None
