"""Which ticket an inbound mail belongs to: reply token, Message-ID references, subject number.

Only this tenant's rows are consulted (the connection's schema), so a token, Message-ID or
ticket number of another tenant matches nothing here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Value

from panel1.accounts.models import User
from panel1.db_reads import CompiledRead, EqualsAny
from tickets.email.parsing import (
    ParsedEmail,
    extract_reply_token,
    extract_ticket_number_candidates,
)
from tickets.email.tokens import reply_token_lookup
from tickets.models import InboundEmail, InboundStatus, Message, OutboundEmail, Ticket

# The synthetic thread root our notifications put first in References: ticket-<uuid>@domain.
_ROOT_ID_RE = re.compile(
    r"^ticket-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@", re.IGNORECASE
)


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    via: str  # "reply token", "In-Reply-To", "References", "subject"
    detail: str
    token_user: User | None = None


def thread_root_id(ticket: Ticket, domain: str) -> str:
    return f"ticket-{ticket.pk}@{domain}"


def thread_match(parsed: ParsedEmail, *, envelope_recipient: str = "") -> ThreadMatch | None:
    """Find the ticket the mail replies to, strongest evidence first."""
    return (
        _by_token(parsed, envelope_recipient)
        or _by_message_ids(parsed)
        or _by_subject_number(parsed.subject)
    )


def _by_token(parsed: ParsedEmail, envelope_recipient: str) -> ThreadMatch | None:
    addresses = [envelope_recipient, *parsed.delivered_to, *parsed.to, *parsed.cc]
    for address in addresses:
        row = reply_token_lookup(extract_reply_token([address]) if address else None)
        if row is not None:
            return ThreadMatch(row.ticket, "reply token", address, token_user=row.user)
    return None


def _by_message_ids(parsed: ParsedEmail) -> ThreadMatch | None:
    # In-Reply-To first, then References from the newest (last) to the oldest.
    ordered = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
    if not ordered:
        return None
    in_reply_to = set(parsed.in_reply_to)
    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(_by_ids_sql(), [ordered, ordered, ordered, InboundStatus.DUPLICATE.value])
        rows = cursor.fetchall()
    for message_id, ticket_id, _rank in sorted(rows, key=lambda row: row[2]):
        found.setdefault(message_id, str(ticket_id))
    candidates: list[tuple[str, str]] = []
    for message_id in ordered:
        ticket_id = found.get(message_id)
        if ticket_id is None:
            root = _ROOT_ID_RE.match(message_id)
            ticket_id = root.group(1).lower() if root else None
        if ticket_id is not None:
            candidates.append((message_id, ticket_id))
    if not candidates:
        return None
    ids = list(dict.fromkeys(ticket_id for _m, ticket_id in candidates))
    tickets = {str(ticket.pk): ticket for ticket in _TICKETS_BY_ID.all(ids=ids)}
    for message_id, ticket_id in candidates:
        ticket = tickets.get(ticket_id)
        if ticket is not None:
            via = "In-Reply-To" if message_id in in_reply_to else "References"
            return ThreadMatch(ticket, via, message_id)
    return None


@functools.cache
def _by_ids_sql() -> str:
    """One query over the three places a Message-ID of ours or of a customer is kept, the
    strongest first: our notifications, messages on tickets, inbound mail. Built once per
    process; parameters: the ids three times, then the status of a duplicate."""
    ids = ["ID"]
    sources = [
        OutboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False).values_list(
            "message_id", "ticket_id", Value(0)
        ),
        Message.objects.filter(email_message_id__in=ids).values_list(
            "email_message_id", "ticket_id", Value(1)
        ),
        InboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False)
        .exclude(status="S")
        .values_list("message_id", "ticket_id", Value(2)),
    ]
    sources = [source.order_by() for source in sources]
    sql, params = sources[0].union(*sources[1:], all=True).query.sql_with_params()
    if len(params) != 7 or list(params[1::2]) != ids * 3:
        raise RuntimeError("Unexpected threading query shape.")
    sql = sql.replace("IN (%s)", "= ANY(%s)")  # the ids as one array each
    for rank in ("0", "1", "2"):  # the constant ranks inline
        sql = sql.replace("%s AS", f"{rank} AS", 1)
    return sql


def _first_by_number(number: str):
    tickets = Ticket.objects.filter(number__iexact=number)
    return (tickets if tickets.ordered else tickets.order_by("pk"))[:1]  # as .first() reads


# Compiled once per connection (CompiledRead): a reply's ticket read by id, by number.
_TICKETS_BY_ID = CompiledRead(
    lambda ids: Ticket.objects.filter(EqualsAny(F("pk"), Value(ids))), "ids"
)
_TICKET_BY_NUMBER = CompiledRead(_first_by_number, "number")


def _by_subject_number(subject: str) -> ThreadMatch | None:
    for candidate in extract_ticket_number_candidates(subject):
        ticket = _TICKET_BY_NUMBER.first(number=candidate)
        if ticket is not None:
            return ThreadMatch(ticket, "subject", candidate)
    return None
