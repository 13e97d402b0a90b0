"""Ticket numbers: the tenant's format, gap-free and unique under concurrency.

The counter row of the period is incremented with one upsert (INSERT ... ON CONFLICT DO UPDATE
... RETURNING) in the ticket's own transaction: the row stays locked until that transaction
ends, so concurrent creators queue on it and a rolled-back ticket rolls its number back too:
no hole, no duplicate. A PostgreSQL sequence would be faster but leaves gaps.

When the year is part of the number, numbering restarts at 1 every year (the year keeps
numbers unique: SUP-2026-00000001 and SUP-2027-00000001). Without the year in the number, one
counter runs forever. The year is the UTC year of the ticket's creation.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from tickets.models import TicketCounter


def format_number(*, tenant, year: int, value: int) -> str:
    parts = [tenant.ticket_prefix or "T"]
    if tenant.ticket_number_include_year:
        parts.append(f"{year:04d}")
    parts.append(f"{value:0{tenant.ticket_number_padding}d}")
    if tenant.ticket_suffix:
        parts.append(tenant.ticket_suffix)
    return "-".join(parts).upper()


def counter_period(*, tenant, at: datetime) -> int:
    return at.year if tenant.ticket_number_include_year else 0


def next_ticket_number(*, tenant, at: datetime | None = None) -> str:
    """Take the next number; must run inside the transaction that creates the ticket."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_ticket_number() must run inside the ticket's transaction")
    at = at or timezone.now()
    period = counter_period(tenant=tenant, at=at)
    table = TicketCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("period", "value") VALUES (%s, 1) ON CONFLICT ("period") '
            f'DO UPDATE SET "value" = "{table}"."value" + 1 RETURNING "value"',
            [period],
        )
        (value,) = cursor.fetchone()
    return format_number(tenant=tenant, year=at.year, value=value)
