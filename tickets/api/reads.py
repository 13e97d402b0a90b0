"""The API's ticket reads: one statement per page or ticket, only the columns the answer shows.

`TicketSerializer` needs the ticket's own columns, three columns of the requester and the
assignee, the SLA block, the satisfaction score and the CCs. Everything else (the search
vector, the SLA calculation log, password hashes, category descriptions) stays in the
database, and the CCs come with the ticket row as a JSON array instead of a second query.
"""

from __future__ import annotations

import functools
import uuid

from django.db.models import Func, IntegerField, QuerySet

from panel1.accounts.models import Role, User
from panel1.db_reads import CompiledRead
from tickets.models import Ticket
from tickets.querysets import sees_every_ticket
from tickets.selectors import cc_people_subquery, cc_users

# The list's order when the caller names none (newest first; the pk breaks ties).
DEFAULT_ORDERING = ("-created_at", "-pk")

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
    """The columns of the shape, as `only()` names them (relations as `relation__column`)."""
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


def _customer_stand_in(user_id: uuid.UUID) -> User:
    """A customer with this id as `visible_to` reads one (role, active, id): its SQL for a
    customer depends on nothing else."""
    return User(pk=user_id, role=Role.CUSTOMER, is_active=True)


# One ticket as `api_ticket_queryset(user).filter(pk=...)` reads it, compiled once per
# connection for the two shapes whose SQL depends on nothing but the ids: staff who see every
# ticket, and customers (requested, CC'd, or shared by their organization).
_READ_ANY = CompiledRead(lambda pk: api_ticket_shape().filter(pk=pk), pk=uuid.UUID)
_READ_AS_CUSTOMER = CompiledRead(
    lambda pk, user_id: api_ticket_shape().filter(pk=pk).visible_to(_customer_stand_in(user_id)),
    pk=uuid.UUID,
    user_id=uuid.UUID,
)


def api_ticket_read(user, pk: uuid.UUID) -> Ticket | None:
    """The ticket `pk` shaped for `TicketSerializer` if `user` may see it, else None: the
    answer of every ticket endpoint. The statement is compiled once per connection (building
    and compiling the queryset with its visibility subqueries costs ~2 ms of Python) and sent
    as a prepared statement (`CompiledRead`: it would plan for ~0.9 ms and run for ~0.1).
    Agents limited to categories read through the queryset (their SQL holds their categories)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if sees_every_ticket(user):
        read, values = _READ_ANY, {"pk": pk}
    elif user.role == Role.CUSTOMER:
        read, values = _READ_AS_CUSTOMER, {"pk": pk, "user_id": user.pk}
    else:
        return api_ticket_queryset(user).filter(pk=pk).first()
    return read.first(**values)


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


# --- the plain list, compiled ---------------------------------------------------------------
# Most list requests are `?status=...&priority=...` with `limit`/`offset` in the default order,
# by staff who see every ticket. Building, filtering (django-filter's form) and compiling that
# queryset and its count took about a third of the list's Python time; such a list runs SQL
# compiled once per process and connection for its number of values of each filter
# (`panel1.db_reads`): the same statements as the general path, LIMIT and OFFSET as
# parameters. Any other request (another filter, an ordering, a cursor, a value the filter
# refuses, a caller with a limited view) takes the general path, which also answers errors.
PLAIN_FILTERS = ("status", "priority")
PAGING = ("limit", "offset")


class CompiledTicketList:
    """The tickets of a plain list as the paginator reads a queryset: `count()` and a slice."""

    def __init__(self, values: dict[str, list[str]]):
        self._page, self._count = _compiled_list(
            tuple(len(values.get(name, ())) for name in PLAIN_FILTERS)
        )
        self._markers = {
            f"{name}{i}": value
            for name in PLAIN_FILTERS
            for i, value in enumerate(values.get(name, ()))
        }

    def count(self) -> int:
        return self._count.value(**self._markers)

    def __getitem__(self, page: slice) -> list[Ticket]:
        return self._page.slice(page.start, page.stop, **self._markers)


def api_ticket_list_compiled(user, params) -> CompiledTicketList | None:
    """The plain list `params` ask for, compiled, or None for the general path."""
    if not set(params) <= {*PLAIN_FILTERS, *PAGING} or not sees_every_ticket(user):
        return None
    values = {}
    for name in PLAIN_FILTERS:
        given = params.getlist(name)
        if any(value not in _filter_choices(name) for value in given):
            return None
        if given:
            values[name] = list(dict.fromkeys(given))
    return CompiledTicketList(values)


@functools.cache
def _filter_choices(name: str) -> frozenset[str]:
    from tickets.api.filters import TicketFilter

    return frozenset(
        str(value) for value, _label in TicketFilter.base_filters[name].extra["choices"]
    )


@functools.cache
def _compiled_list(shape: tuple[int, ...]) -> tuple[CompiledRead, CompiledRead]:
    """The page and the count of a plain list with `shape[i]` values of `PLAIN_FILTERS[i]`."""
    names = [f"{name}{i}" for name, n in zip(PLAIN_FILTERS, shape, strict=True) for i in range(n)]

    def tickets(**markers) -> QuerySet[Ticket]:
        # What `api_ticket_queryset` answers for a caller who sees every ticket.
        qs = api_ticket_shape().all()
        for name, n in zip(PLAIN_FILTERS, shape, strict=True):
            if n:
                qs = qs.filter(**{f"{name}__in": [markers[f"{name}{i}"] for i in range(n)]})
        return qs

    page = CompiledRead(lambda **m: ticket_rows(tickets(**m)).order_by(*DEFAULT_ORDERING), *names)
    count = CompiledRead(lambda **m: tickets(**m).order_by().values_list(_COUNT_ROWS), *names)
    return page, count


def ticket_rows(tickets: QuerySet[Ticket]) -> QuerySet:
    """`tickets` as dicts of the shape's columns instead of model instances (a list of 50
    made some 200 instances: ~2.5 ms of Python); `TicketSerializer` represents either alike.
    Relations' columns are named as in `only()`: the related object's key is the relation's
    name plus `__id`, or `__ticket` for the SLA state, whose key is the ticket."""
    columns = [_row_column(name) for name in _columns()]
    return tickets.values(*columns, "cc_people")


def _row_column(name: str) -> str:
    # values() names a relation's foreign key by the field (`sla_state__ticket`), not its
    # column (`sla_state__ticket_id`), and the ticket's own as either.
    relation, _, column = name.rpartition("__")
    if relation and column.endswith("_id"):
        return f"{relation}__{column[:-3]}"
    return name


_COUNT_ROWS = Func(template="COUNT(*)", output_field=IntegerField())
