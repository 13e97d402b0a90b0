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

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from panel1.db_reads import rows_together
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


@dataclass(frozen=True)
class NumberClaim:
    """The statement that takes the next number of a period (an upsert answering the new
    counter value), for a caller that sends it with statements of its own
    (`tickets.services.routing.creation_route`); `number(rows)` formats its answer."""

    sql: str
    params: list
    tenant: Any
    year: int

    def number(self, rows: list[tuple]) -> str:
        ((value,),) = rows
        return format_number(tenant=self.tenant, year=self.year, value=value)


def ticket_number_claim(*, tenant, at: datetime | None = None) -> NumberClaim:
    """The claim of the next number; its statement must run inside the transaction that
    creates the ticket."""
    if not connection.in_atomic_block:
        raise RuntimeError("A ticket number is taken inside the ticket's transaction.")
    at = at or timezone.now()
    table = TicketCounter._meta.db_table
    return NumberClaim(
        sql=f'INSERT INTO "{table}" ("period", "value") VALUES (%s, 1) ON CONFLICT ("period") '
        f'DO UPDATE SET "value" = "{table}"."value" + 1 RETURNING "value"',
        params=[counter_period(tenant=tenant, at=at)],
        tenant=tenant,
        year=at.year,
    )


def next_ticket_number(*, tenant, at: datetime | None = None) -> str:
    """Take the next number; must run inside the transaction that creates the ticket."""
    claim = ticket_number_claim(tenant=tenant, at=at)
    (rows,) = rows_together([(claim.sql, claim.params)])
    return claim.number(rows)
