"""Reads shared by the API, the desk and the portal. Visibility comes from `visible_to`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery
from django.db.models import BooleanField, F, Func, OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from panel1.accounts.models import Role, User
from panel1.db_reads import CompiledRead, first_joined_as_written
from panel1.exceptions import NotFound
from panel1.ids import parse_uuid
from tickets.models import Message, MessageType, Ticket, priority_rank
from tickets.querysets import sees_every_ticket

SEARCH_CONFIG = "english"


def ticket_queryset_for(user) -> QuerySet[Ticket]:
    return with_ticket_list_relations(Ticket.objects.visible_to(user))


def with_ticket_list_relations(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`qs` with what a list of tickets shows joined (`ticket_queryset_for`)."""
    qs = qs.with_list_relations().select_related("satisfaction")
    if hasattr(Ticket, "sla_state"):
        qs = qs.select_related("sla_state")
    return qs


def cc_people_subquery() -> ArraySubquery:
    """The ticket's CCs as a JSON array of {id, email, name} by email: read with the ticket
    row instead of a query of their own (see `cc_users`)."""
    people = (
        User.objects.filter(cc_tickets=OuterRef("pk"))
        .order_by("email")
        .values(json=JSONObject(id="id", email="email", name="name"))
    )
    return ArraySubquery(people)


def cc_users(ticket: Ticket) -> list:
    """The ticket's CCs (id, email, name) by email, from `cc_people` when it was read."""
    people = getattr(ticket, "cc_people", None)
    if people is None:
        return list(ticket.cc.order_by("email").only("id", "name", "email"))
    return [User(id=p["id"], email=p["email"], name=p["name"]) for p in people]


def ticket_get_for(
    user,
    ticket_ref: str,
    *,
    related: tuple[str, ...] = (),
    annotations: dict | None = None,
    user_annotations: Callable[[Any], dict] | None = None,
) -> Ticket:
    """The ticket by UUID or by number (case-insensitive), if `user` may see it; else 404.
    `related` adds select_related paths a page needs and `annotations` values it reads with
    the ticket (one query either way); `user_annotations(user_id)` answers annotations that
    depend on the reader's id only (the SQL is compiled with a marker for it); the CCs come
    with it (`cc_users`)."""
    lookup = ticket_ref_lookup(ticket_ref)
    if annotations is None and sees_every_ticket(user):
        ticket = _compiled_get(lookup, related, user_annotations, user.pk)
    else:
        qs = ticket_queryset_for(user).annotate(
            cc_people=cc_people_subquery(),
            **(annotations or {}),
            **(user_annotations(user.pk) if user_annotations else {}),
        )
        if related:
            qs = qs.select_related(*related)
        # Seven tables joined to the one ticket row: planned as written (`panel1.db_reads`).
        ticket = first_joined_as_written(qs.filter(**lookup))
    if ticket is None:
        raise NotFound({"detail": [_("No such ticket.")]})
    return ticket


# One ticket for a reader who sees every ticket, per shape (looked up by id or by number, the
# related rows and the reader's annotations): its queryset costs ~2 ms of Python to build and
# compile with seven joined tables, so it is compiled once per connection and sent prepared
# (`panel1.db_reads`; PostgreSQL then keeps a generic plan instead of planning eight joins).
_COMPILED_GETS: dict[tuple, CompiledRead] = {}


def _compiled_get(lookup: dict, related: tuple, user_annotations, user_id) -> Ticket | None:
    ((field, value),) = lookup.items()
    key = (field, tuple(related), user_annotations)
    read = _COMPILED_GETS.get(key)
    if read is None:

        def build(value, user_id):
            qs = ticket_queryset_for(User(role=Role.ADMIN, is_active=True)).annotate(
                cc_people=cc_people_subquery(),
                **(user_annotations(user_id) if user_annotations else {}),
            )
            if related:
                qs = qs.select_related(*related)
            return qs.filter(**{field: value}).order_by()

        kinds = {"value": uuid.UUID if field == "pk" else str}
        if user_annotations:
            kinds["user_id"] = uuid.UUID
        else:
            build = partial(build, user_id=None)
        read = _COMPILED_GETS[key] = CompiledRead(build, **kinds)
    values = {"value": value, "user_id": user_id} if user_annotations else {"value": value}
    return read.first(**values)


def ticket_find(qs: QuerySet[Ticket], ticket_ref: str) -> Ticket | None:
    """The ticket of `qs` named by UUID or by number (case-insensitive), or None."""
    return _named(qs, ticket_ref).first()


def _named(qs: QuerySet[Ticket], ticket_ref: str) -> QuerySet[Ticket]:
    return qs.filter(**ticket_ref_lookup(ticket_ref))


def ticket_ref_lookup(ticket_ref: str) -> dict:
    """`{"pk": uuid}` or `{"number": ...}`: the lookup of a ticket named by UUID or number."""
    ref = (ticket_ref or "").strip()
    ticket_id = parse_uuid(ref)
    if ticket_id is None:
        return {"number": ref.upper()}  # stored upper-case; uses the index
    return {"pk": ticket_id}


class InArray(Func):
    """`column = ANY(ARRAY(subquery))`: a condition PostgreSQL answers from the column's index
    (a bitmap scan, and OR-ed with another such condition a BitmapOr), where `column IN
    (subquery)` inside an OR becomes a hashed subplan probed for every row of the table."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()

    def __init__(self, column: str, ids):
        """`ids`: a queryset of ids, or an expression that is an array of them already."""
        super().__init__(F(column), ArraySubquery(ids) if isinstance(ids, QuerySet) else ids)


def ticket_search_ids(text: str, *, user) -> QuerySet:
    """The ids of the tickets matching `text`: full text over subject and messages (public
    ones for customers), or the exact number. A UNION of ids lets each branch use its own
    index (number, subject GIN, message GIN); one OR across the three scanned every ticket."""
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    messages = Message.objects.filter(search_vector=query)
    if not user.is_helpdesk_staff:
        messages = messages.filter(
            message_type__in=[MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY]
        )
    return (
        Ticket.objects.filter(number=text.upper())  # numbers are stored upper-case
        .order_by()
        .values("id")
        .union(
            Ticket.objects.filter(search_vector=query).order_by().values("id"),
            messages.order_by().values("ticket_id"),
        )
    )


def ticket_search(qs: QuerySet[Ticket], text: str, *, user) -> QuerySet[Ticket]:
    """Full text over subject and messages (public ones for customers), or the exact number."""
    text = (text or "").strip()
    if not text:
        return qs
    return qs.filter(id__in=ticket_search_ids(text, user=user))


def ticket_order(qs: QuerySet[Ticket], ordering: str) -> QuerySet[Ticket]:
    if ordering.lstrip("-") == "priority":
        rank = priority_rank()
        expression = rank.desc() if ordering.startswith("-") else rank.asc()
        return qs.order_by(expression, "-created_at", "-pk")
    # The tie-breaker follows the direction, so each ordering is one index scan and a keyset
    # (`?cursor=`) compares one row value.
    return qs.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")


def _thread_messages(*, staff: bool) -> CompiledRead:
    return CompiledRead(
        lambda ticket_id: messages_with_attachments_inline(
            _messages_seen(
                Message.objects.filter(ticket_id=ticket_id).select_related("author"), staff=staff
            ).order_by("created_at", "pk")
        ),
        ticket_id=uuid.UUID,
    )


# Read on every ticket page and live refresh: compiled once per shape (`panel1.db_reads`).
_THREAD_MESSAGES = {staff: _thread_messages(staff=staff) for staff in (False, True)}


def thread_messages_for(user, ticket: Ticket) -> list[Message]:
    """`list(messages_with_attachments_inline(messages_for(user, ticket)))` with the
    attachments turned into `message.attachments` (`attachments_inline`): the same rows and
    objects, from SQL compiled once per connection and sent prepared."""
    read, values = thread_messages_read(user, ticket)
    return attachments_inline(read.all(**values))


def thread_messages_read(user, ticket: Ticket) -> tuple[CompiledRead, dict]:
    """`thread_messages_for`'s read and values, for `panel1.db_reads.all_together` (then
    `attachments_inline` of its rows)."""
    return _THREAD_MESSAGES[bool(user.is_helpdesk_staff)], {"ticket_id": ticket.pk}


def _recent_history(limit: int) -> CompiledRead:
    from tickets.models import TicketEvent

    return CompiledRead(
        lambda ticket_id: TicketEvent.objects.filter(ticket_id=ticket_id).order_by(
            "-created_at", "-id"
        )[:limit],
        ticket_id=uuid.UUID,
    )


_RECENT_HISTORY: dict[int, CompiledRead] = {}


def ticket_history_recent(ticket: Ticket, *, limit: int) -> list:
    """`list(ticket.history.order_by("-created_at", "-id")[:limit])`: the newest audit rows
    first, compiled once per connection and limit."""
    read, values = ticket_history_read(ticket, limit=limit)
    return read.all(**values)


def ticket_history_read(ticket: Ticket, *, limit: int) -> tuple[CompiledRead, dict]:
    """`ticket_history_recent`'s read and values (`panel1.db_reads.all_together`)."""
    read = _RECENT_HISTORY.get(limit)
    if read is None:
        read = _RECENT_HISTORY[limit] = _recent_history(limit)
    return read, {"ticket_id": ticket.pk}


def messages_for(user, ticket: Ticket) -> QuerySet[Message]:
    qs = _messages_seen(ticket.messages.select_related("author"), staff=user.is_helpdesk_staff)
    return qs.prefetch_related("attachments").order_by("created_at", "pk")


def _messages_seen(qs: QuerySet[Message], *, staff: bool) -> QuerySet[Message]:
    return (
        qs
        if staff
        else qs.filter(message_type__in=[MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY])
    )


def _message_with_ticket_version(*, staff: bool) -> CompiledRead:
    return CompiledRead(
        lambda ticket_id, message_id: (
            _messages_seen(Message.objects.filter(ticket_id=ticket_id), staff=staff)
            .select_related("author")
            .annotate(ticket_version=F("ticket__version"))
            .filter(pk=message_id)
            .order_by()[:1]
        ),
        ticket_id=uuid.UUID,
        message_id=uuid.UUID,
    )


# Read after every reply (the API's answer): compiled once per shape (`panel1.db_reads`).
_MESSAGE_WITH_TICKET_VERSION = {
    staff: _message_with_ticket_version(staff=staff) for staff in (False, True)
}


def message_get_with_ticket_version(user, *, ticket_id, message_id) -> Message | None:
    """The message as `user` sees it among `messages_for` (None if not), its author read
    with it and `ticket_version` the ticket's version now; attachments not read."""
    read = _MESSAGE_WITH_TICKET_VERSION[bool(user.is_helpdesk_staff)]
    return read.first(ticket_id=ticket_id, message_id=message_id)


def messages_with_attachments_inline(qs: QuerySet[Message]) -> QuerySet[Message]:
    """`qs` with each message's attachments read in the same statement (a JSON array)
    instead of a prefetch query; `message.attachments.all()` answers them as usual."""
    from tickets.models import Attachment

    columns = [field.attname for field in Attachment._meta.concrete_fields]
    rows = (
        Attachment.objects.filter(message_id=OuterRef("pk"))
        .order_by("created_at", "pk")
        .values(json=JSONObject(**{name: name for name in columns}))
    )
    return qs.prefetch_related(None).annotate(attachments_inline=ArraySubquery(rows))


def attachments_inline(messages: list[Message]) -> list[Message]:
    """Turn `attachments_inline` into the prefetched `message.attachments` of each message."""
    from tickets.models import Attachment

    fields = Attachment._meta.concrete_fields
    for message in messages:
        rows = getattr(message, "attachments_inline", None)
        if rows is None:
            continue
        found = Attachment.objects.none()
        found._result_cache = [
            Attachment.from_db(
                "default",
                [f.attname for f in fields],
                [f.to_python(row[f.attname]) if row[f.attname] is not None else None
                 for f in fields],
            )
            for row in rows
        ]  # fmt: skip
        found._prefetch_done = True
        cache = getattr(message, "_prefetched_objects_cache", {})
        message._prefetched_objects_cache = {**cache, "attachments": found}
    return messages
