"""Prepared statements (`panel1.db_prepared`): planned once per connection, still logged,
still per tenant (PostgreSQL parses a prepared statement again under another search_path),
and the API's one-ticket read built on them answers exactly what the queryset answers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panel1.db_prepared import prepared
from tests.conftest import in_schema
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    TicketFactory,
)
from tests.factories.routing import AgentProfileFactory
from tickets.api.reads import api_ticket_queryset, api_ticket_read
from tickets.models import Ticket

COUNT = "SELECT count(*) FROM tickets_ticket WHERE subject = %s"


def _prepared_statements() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}


def _count(subject: str) -> int:
    with prepared(), connection.cursor() as cursor:
        cursor.execute(COUNT, [subject])
        return cursor.fetchone()[0]


def test_a_statement_is_prepared_once_and_then_runs_on_its_generic_plan(tenant):
    TicketFactory(subject="Prepared")
    for _ in range(8):
        assert _count("Prepared") == 1
    statement = COUNT.replace("%s", "$1")
    generic, custom = _prepared_statements()[statement]
    assert custom == 5 and generic == 3  # PostgreSQL's five custom plans, then no planning


def test_prepared_statements_are_logged_with_their_text(tenant):
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(2):  # the first prepares, the second runs the prepared one
            _count("Logged")
    assert [q["sql"] for q in ctx.captured_queries if "count(*)" in q["sql"]] == [
        COUNT.replace("%s", "$1")
    ] * 2


def test_a_prepared_statement_reads_the_tables_of_the_tenant_it_runs_for(tenant, other_tenant):
    TicketFactory(subject="Only in A")
    for _ in range(7):  # a generic plan, made in tenant A's schema
        assert _count("Only in A") == 1
    with in_schema(other_tenant):
        assert _count("Only in A") == 0
        TicketFactory(subject="Only in B")
        assert _count("Only in B") == 1
    assert _count("Only in B") == 0
    assert _count("Only in A") == 1


def test_outside_the_block_statements_are_not_prepared(tenant):
    before = _prepared_statements()
    for _ in range(8):
        Ticket.objects.filter(subject="not prepared").count()
    assert _prepared_statements() == before


def test_a_long_statement_is_converted_once_and_answers_its_values(tenant):
    from panel1 import db_prepared

    values = [f"value {n} with 'quotes' and %" for n in range(60)]  # over psycopg's 50
    sql = "SELECT " + ", ".join(["%s::text"] * len(values)) + " -- long statement"
    before = db_prepared._converted.cache_info()
    for _ in range(3):
        with prepared(), connection.cursor() as cursor:
            cursor.execute(sql, values)
            assert list(cursor.fetchone()) == values
    after = db_prepared._converted.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


@pytest.fixture
def people():
    category, other_category = CategoryFactory(), CategoryFactory()
    limited = AgentProfileFactory(user=AgentFactory(), categories=[category]).user
    return {
        "admin": AdminFactory(),
        "agent": AgentFactory(),
        "limited": limited,
        "alice": CustomerFactory(),
        "bob": CustomerFactory(),
        "category": category,
        "other_category": other_category,
    }


def test_the_one_ticket_read_answers_what_the_queryset_answers_for_everyone(tenant, people):
    alices = TicketFactory(requester=people["alice"], category=people["category"])
    bobs = TicketFactory(requester=people["bob"], category=people["other_category"])
    bobs.cc.add(people["alice"])
    private = TicketFactory(requester=people["bob"])
    readers = ("admin", "agent", "limited", "alice", "bob")
    # Several rounds: the compiled and prepared statements are reused with other values.
    for _round in range(3):
        for name in readers:
            user = people[name]
            for ticket in (alices, bobs, private):
                expected = api_ticket_queryset(user).filter(pk=ticket.pk).first()
                found = api_ticket_read(user, ticket.pk)
                assert (found is None) == (expected is None), (name, ticket.subject)
                if found is not None:
                    assert found.pk == ticket.pk
                    assert found.requester.email == expected.requester.email
                    assert found.cc_people == expected.cc_people
    assert api_ticket_read(people["alice"], private.pk) is None  # bob's, and no CC
    assert api_ticket_read(people["alice"], bobs.pk) is not None  # CC'd
    assert api_ticket_read(people["limited"], bobs.pk) is None  # not their category


def test_one_customers_read_never_answers_with_another_customers_ticket(tenant, people):
    mine = TicketFactory(requester=people["alice"])
    theirs = TicketFactory(requester=people["bob"])
    assert api_ticket_read(people["alice"], mine.pk).pk == mine.pk
    # The same compiled statement with bob's id and alice's ticket: nothing.
    assert api_ticket_read(people["bob"], mine.pk) is None
    assert api_ticket_read(people["bob"], theirs.pk).pk == theirs.pk
    people["alice"].is_active = False
    assert api_ticket_read(people["alice"], mine.pk) is None
