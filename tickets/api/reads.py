"""The API's ticket reads: one statement per page or ticket, only the columns the answer shows.

`TicketSerializer` needs the ticket's own columns, three columns of the requester and the
assignee, the SLA block, the satisfaction score and the CCs. Everything else (the search
vector, the SLA calculation log, password hashes, category descriptions) stays in the
database, and the CCs come with the ticket row as a JSON array instead of a second query.
"""

from __future__ import annotations

import functools

from django.db.models import QuerySet

from panel1.accounts.models import User
from tickets.models import Ticket
from tickets.selectors import cc_people_subquery, cc_users

TICKET_COLUMNS = (
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "category_id",
    "tags",
    "channel",
    "escalation_level",
    "version",
    "merged_into_id",
    "language",
    "routing_reason",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
)
PERSON_COLUMNS = ("id", "email", "name")
SLA_COLUMNS = (
    "ticket_id",
    "profile_id",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "first_responded_at",
    "resolved_at",
    "first_response_breached",
    "next_response_breached",
    "resolution_breached",
    "paused",
)
SATISFACTION_COLUMNS = ("id", "ticket_id", "rating", "score")


def _columns() -> list[str]:
    columns = list(TICKET_COLUMNS)
    for person in ("requester", "assignee"):
        columns += [f"{person}__{name}" for name in PERSON_COLUMNS]
    columns += [f"satisfaction__{name}" for name in SATISFACTION_COLUMNS]
    if hasattr(Ticket, "sla_state"):
        columns += [f"sla_state__{name}" for name in SLA_COLUMNS]
    return columns


@functools.cache
def api_ticket_shape() -> QuerySet[Ticket]:
    """The relations, columns and CC column of every API ticket read, built once per process
    (half a millisecond a request). Never evaluated itself: each read chains a clone of it."""
    related = ["requester", "assignee", "satisfaction"]
    if hasattr(Ticket, "sla_state"):
        related.append("sla_state")
    return (
        Ticket.objects.select_related(*related)
        .only(*_columns())
        .annotate(cc_people=cc_people_subquery())
    )


def api_ticket_queryset(user) -> QuerySet[Ticket]:
    """The tickets `user` may see (`visible_to`, as `ticket_queryset_for` reads them), shaped
    for `TicketSerializer`."""
    return api_ticket_shape().all().visible_to(user)


def with_cc(tickets):
    """Turn the `cc_people` column into a prefetched `ticket.cc` (`TicketSerializer` reads
    the column itself; DRF's generic fields, as the representation tests use them, need this)."""
    for ticket in tickets:
        people = getattr(ticket, "cc_people", None)
        if people is None:
            continue
        users = User.objects.none()  # never evaluated: the rows are the ones just read
        users._result_cache = cc_users(ticket)
        users._prefetch_done = True
        cache = getattr(ticket, "_prefetched_objects_cache", {})
        ticket._prefetched_objects_cache = {**cache, "cc": users}
    return tickets
