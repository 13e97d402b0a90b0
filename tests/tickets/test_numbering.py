"""Numbering: the tenant's format, gap-free and unique under real concurrency."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context
from hypothesis import given, settings
from hypothesis import strategies as st

from panel1.accounts.models import Role, User
from panel1.tenants.models import Tenant
from tickets.models import Ticket, TicketCounter
from tickets.numbering import format_number, next_ticket_number
from tickets.services import ticket_create


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10),
    year=st.integers(min_value=2000, max_value=2999),
    value=st.integers(min_value=1, max_value=10**9),
    padding=st.integers(min_value=1, max_value=12),
    suffix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=5),
    with_year=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_format_round_trips_its_parts(prefix, year, value, padding, suffix, with_year):
    tenant = Tenant(
        ticket_prefix=prefix,
        ticket_number_include_year=with_year,
        ticket_number_padding=padding,
        ticket_suffix=suffix,
    )
    number = format_number(tenant=tenant, year=year, value=value)
    parts = number.split("-")
    assert parts[0] == prefix
    if with_year:
        assert parts[1] == f"{year:04d}"
    digits = parts[2] if with_year else parts[1]
    assert int(digits) == value and len(digits) >= padding
    assert (parts[-1] == suffix) if suffix else parts[-1] == digits


def test_example_format_with_suffix():
    tenant = Tenant(ticket_prefix="SUP", ticket_number_padding=8, ticket_suffix="PROD")
    assert format_number(tenant=tenant, year=2026, value=1) == "SUP-2026-00000001-PROD"


def test_rolled_back_ticket_leaves_no_gap(tenant):
    customer = User.objects.create_user("gap@customer.test", role=Role.CUSTOMER)
    first = ticket_create(actor=customer, requester=customer, subject="One", content="x")
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_create(actor=customer, requester=customer, subject="Two", content="x")
        raise RuntimeError("crash after numbering")
    third = ticket_create(actor=customer, requester=customer, subject="Three", content="x")
    assert int(third.number.split("-")[2]) == int(first.number.split("-")[2]) + 1


def test_numbers_restart_each_year_when_the_year_is_in_the_number(tenant):
    with transaction.atomic():
        a = next_ticket_number(tenant=tenant, at=datetime(2031, 12, 31, 23, 59, tzinfo=UTC))
        b = next_ticket_number(tenant=tenant, at=datetime(2032, 1, 1, 0, 0, tzinfo=UTC))
    assert a.endswith("2031-00000001") and b.endswith("2032-00000001")


def test_one_counter_without_the_year(tenant):
    # A copy: the session-wide tenant object must keep its stored format.
    no_year = Tenant.objects.get(pk=tenant.pk)
    no_year.ticket_number_include_year = False
    with transaction.atomic():
        TicketCounter.objects.filter(period=0).delete()
        a = next_ticket_number(tenant=no_year, at=datetime(2031, 12, 31, tzinfo=UTC))
        b = next_ticket_number(tenant=no_year, at=datetime(2032, 1, 1, tzinfo=UTC))
    assert (a, b) == ("SUP-00000001", "SUP-00000002")


@pytest.mark.slow
def test_concurrent_creation_is_gap_free_and_unique(session_tenants, django_db_blocker):
    """8 threads x 25 tickets against real PostgreSQL: numbers are exactly 1..200."""
    tenant = session_tenants[0]
    threads, per_thread = 8, 25
    errors: list[Exception] = []
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        requester = User.objects.create_user("concurrency@customer.test", role=Role.CUSTOMER)
        start_value = (
            TicketCounter.objects.filter(period=datetime.now(UTC).year)
            .values_list("value", flat=True)
            .first()
            or 0
        )
    barrier = threading.Barrier(threads)

    def work():
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                barrier.wait()
                for i in range(per_thread):
                    ticket_create(
                        actor=requester, requester=requester, subject=f"c{i}", content="load"
                    )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    try:
        assert errors == []
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            numbers = list(
                Ticket.objects.filter(requester=requester).values_list("number", flat=True)
            )
        values = sorted(int(n.split("-")[2]) for n in numbers)
        assert len(numbers) == len(set(numbers)) == threads * per_thread
        assert values == list(range(start_value + 1, start_value + threads * per_thread + 1))
    finally:
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            Ticket.objects.filter(requester=requester).delete()
            requester.delete()
