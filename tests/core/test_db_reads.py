"""Per-request lookups compiled once (`panel1.db_reads`): the request host's tenant and the API
token with its user. Compiled SQL is kept, never the rows: each request reads the current
row, so a removed domain, a suspended tenant, a revoked token or a deactivated user counts
from the very next request."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, connections
from django.db.models import Model
from django.utils import timezone

from panel1.api.models import ApiToken
from panel1.api.tokens import api_token_authenticate, api_token_create, token_hash
from panel1.db_reads import CompiledRead, first_joined_as_written, list_joined_as_written
from panel1.tenants.models import Domain, Tenant
from tests.conftest import in_schema
from tests.factories import AgentFactory


def _fields(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_compiled_read_answers_what_the_queryset_answers(tenant):
    read = CompiledRead(
        lambda domain: Domain.objects.select_related("tenant").filter(domain=domain), "domain"
    )
    host = tenant.domains.get(is_primary=True).domain

    compiled = read.first(domain=host)
    expected = Domain.objects.select_related("tenant").get(domain=host)

    assert _fields(compiled) == _fields(expected)
    assert _fields(compiled.tenant) == _fields(expected.tenant)
    assert compiled._state.adding is False and compiled.tenant._state.db == "default"
    assert read.first(domain="nobody.test.localhost") is None


def test_values_the_sql_would_not_get_unchanged_are_refused(tenant):
    read = CompiledRead(lambda pk: ApiToken.objects.filter(pk=pk), "pk")
    with pytest.raises(Exception):  # noqa: B017 (a str marker is no UUID)
        read.first(pk="x")


def test_a_token_reads_its_user_fresh_on_every_request(tenant, api_client):
    agent = AgentFactory(name="Before")
    _, key = api_token_create(actor=agent, user=agent, name="laptop")
    assert api_client(token=key).get("/api/v1/me/").json()["name"] == "Before"

    agent.name = "After"
    agent.save(update_fields=["name"])
    token = api_token_authenticate(key)
    assert _fields(token.user) == _fields(type(agent).objects.get(pk=agent.pk))
    assert api_client(token=key).get("/api/v1/me/").json()["name"] == "After"

    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert api_client(token=key).get("/api/v1/me/").status_code == 401


def test_a_revoked_token_fails_on_the_next_request(tenant, api_client):
    agent = AgentFactory()
    _, key = api_token_create(actor=agent, user=agent, name="ci")
    assert api_client(token=key).get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(key_hash=token_hash(key)).update(revoked_at=timezone.now())
    assert api_client(token=key).get("/api/v1/me/").status_code == 401


def test_a_removed_domain_or_a_suspended_tenant_counts_at_once(tenant, api_client):
    agent = AgentFactory()
    _, key = api_token_create(actor=agent, user=agent, name="ci")
    client = api_client(token=key)
    assert client.get("/api/v1/me/").status_code == 200

    Tenant.objects.filter(pk=tenant.pk).update(suspended_at=timezone.now())
    assert client.get("/api/v1/me/").status_code == 503
    Tenant.objects.filter(pk=tenant.pk).update(suspended_at=None)

    primary = tenant.domains.get(is_primary=True)
    Domain.objects.filter(pk=primary.pk).update(domain="moved.test.localhost")
    assert client.get("/api/v1/me/").status_code == 404


def test_each_connection_compiles_for_itself(tenant, other_tenant, api_client):
    agent = AgentFactory()
    _, key = api_token_create(actor=agent, user=agent, name="ci")
    assert api_client(token=key).get("/api/v1/me/").status_code == 200
    assert connections["default"].__dict__.get("panel1_compiled_reads")
    assert "panel1_compiled_reads" not in connection.__dict__  # not on the shared proxy
    with in_schema(other_tenant):
        # The same compiled SQL runs in the other tenant's schema: its tables, not ours.
        assert api_token_authenticate(key) is None


def test_a_compiled_list_answers_the_querysets_rows_with_their_annotations(tenant):
    from tests.factories import CategoryFactory, TicketFactory
    from tests.factories.routing import AgentProfileFactory
    from tickets.agents import agent_list, agent_list_read
    from tickets.services import ticket_assign

    category = CategoryFactory()
    pooled = AgentProfileFactory(user__name="Pia", capacity=3, categories=[category])
    AgentFactory(name="Otto")
    ticket = TicketFactory(category=category)
    ticket_assign(ticket=ticket, actor=pooled.user, assignee=pooled.user)

    compiled, expected = agent_list_read(), list(agent_list())

    def shown(users):
        return [
            (_fields(u), u.open_tickets, u.category_ids, getattr(u, "agent_profile", None))
            for u in users
        ]

    assert shown(compiled) == shown(expected)
    assert [u.open_tickets for u in compiled if u.name == "Pia"] == [1]


def test_a_lookup_planned_as_written_answers_first_and_leaves_the_planner_as_it_was(tenant):
    from tests.factories import TicketFactory
    from tickets.models import Ticket
    from tickets.selectors import ticket_queryset_for

    ticket = TicketFactory()
    admin = type(ticket.requester).objects.filter(role="ADMIN").first()
    qs = ticket_queryset_for(admin).filter(number=ticket.number)

    found = first_joined_as_written(qs)

    assert _fields(found) == _fields(qs.first())
    assert _fields(found.requester) == _fields(ticket.requester)
    assert first_joined_as_written(qs.filter(pk__in=[])) is None
    assert first_joined_as_written(Ticket.objects.filter(number="NOPE")) is None
    with connection.cursor() as cursor:  # the test's transaction is still open
        cursor.execute("SHOW join_collapse_limit")
        assert cursor.fetchone()[0] == "8"


def test_a_list_planned_as_written_answers_the_querysets_rows_in_order(tenant):
    from tests.factories import TicketFactory
    from tickets.selectors import ticket_queryset_for

    for _ in range(3):
        TicketFactory()
    admin = type(TicketFactory().requester).objects.filter(role="ADMIN").first()
    page = ticket_queryset_for(admin).order_by("-updated_at", "-pk").defer("search_vector")[1:4]

    rows = list_joined_as_written(page)

    assert [_fields(t) for t in rows] == [_fields(t) for t in page]
    assert [t.requester.email for t in rows] == [t.requester.email for t in page]
    assert list_joined_as_written(ticket_queryset_for(admin).filter(pk__in=[])) == []


def test_sessions_are_read_as_djangos_database_sessions_read_them(tenant):
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session

    from panel1.core.sessions import SessionStore

    store = SessionStore()
    store["who"] = "agent"
    store.create()
    key = store.session_key

    assert SessionStore(key).load() == DjangoStore(key).load() == {"who": "agent"}
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_a_list_of_values_is_one_array_parameter(tenant):
    """`EqualsAny`: one compiled statement answers for any number of values."""
    from django.db.models import F, Value
    from django.test.utils import CaptureQueriesContext

    from panel1.db_reads import EqualsAny
    from tests.factories import TicketFactory
    from tickets.models import Ticket

    tickets = [TicketFactory() for _ in range(3)]
    read = CompiledRead(lambda ids: Ticket.objects.filter(EqualsAny(F("pk"), Value(ids))), "ids")
    with CaptureQueriesContext(connection) as queries:
        for size in (0, 1, 3):
            found = read.all(ids=[str(t.pk) for t in tickets[:size]])
            assert {t.pk for t in found} == {t.pk for t in tickets[:size]}
    assert len({q["sql"].split(" WHERE ")[0] for q in queries.captured_queries}) == 1


def test_a_compiled_locking_read_still_needs_a_transaction(tenant, monkeypatch):
    """A `select_for_update()` read is refused outside a transaction, as the compiler refuses
    the queryset, also once its SQL is compiled."""
    from django.db.transaction import TransactionManagementError

    from tests.factories import TicketFactory
    from tickets.models import Ticket

    ticket = TicketFactory()
    read = CompiledRead(lambda pk: Ticket.objects.select_for_update().filter(pk=pk), pk=uuid.UUID)
    assert read.first(pk=ticket.pk).pk == ticket.pk  # compiled, in the test's transaction
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    with pytest.raises(TransactionManagementError):
        read.first(pk=ticket.pk)


def test_a_list_with_a_with_query_answers_instances_and_tuples(tenant):
    from django.db.models import IntegerField
    from django.db.models.expressions import RawSQL

    from panel1.db_reads import list_with
    from tests.factories import TicketFactory
    from tickets.models import Ticket

    tickets = [TicketFactory() for _ in range(3)]
    wanted = sorted(t.pk for t in tickets[:2])
    ctes = ("picked AS MATERIALIZED (SELECT unnest(%s::uuid[]) AS id)", [wanted])
    picked = Ticket.objects.filter(pk__in=RawSQL("SELECT id FROM picked", [])).annotate(
        n=RawSQL("SELECT COUNT(*) FROM picked", [], output_field=IntegerField())
    )

    rows = list_with(picked.select_related("requester").order_by("pk"), *ctes)
    assert [t.pk for t in rows] == wanted
    assert [t.n for t in rows] == [2, 2]
    assert rows[0].requester.email == Ticket.objects.get(pk=wanted[0]).requester.email
    assert list_with(picked.order_by("pk").values_list("pk", "n"), *ctes) == [
        (pk, 2) for pk in wanted
    ]


def test_reads_sent_together_answer_what_each_answers_alone(tenant):
    from panel1.db_reads import all_together
    from tickets.models import Ticket

    with in_schema(tenant):
        agents = [AgentFactory() for _ in range(3)]
        by_email = CompiledRead(
            lambda email: AgentFactory._meta.model.objects.filter(email=email), "email"
        )
        tickets = CompiledRead(lambda: Ticket.objects.order_by("pk"))
        together = all_together(
            (by_email, {"email": agents[0].email}),
            (tickets, {}),
            (by_email, {"email": "nobody@example.test"}),
        )
        assert together == [
            by_email.all(email=agents[0].email),
            tickets.all(),
            [],
        ]
        assert _fields(together[0][0]) == _fields(agents[0])


def _in_pipeline() -> bool:
    from psycopg import pq

    return connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF


def test_statements_sent_together_run_in_order_in_one_round_trip(tenant):
    from django.db import transaction

    from panel1.db_reads import rows_together
    from tickets.models import TicketCounter

    sent: list[bool] = []

    def spy(execute, sql, params, many, context):
        sent.append(_in_pipeline())  # sent before any result was read back
        return execute(sql, params, many, context)

    with in_schema(tenant), transaction.atomic(), connection.execute_wrapper(spy):
        claimed, seen, empty = rows_together(
            [
                (
                    'INSERT INTO "tickets_ticketcounter" ("period", "value") VALUES (%s, 7) '
                    'RETURNING "value"',
                    [4242],
                ),
                ('SELECT "value" FROM "tickets_ticketcounter" WHERE "period" = %s', [4242]),
                ('SELECT "value" FROM "tickets_ticketcounter" WHERE "period" = %s', [-1]),
            ]
        )
        assert (claimed, seen, empty) == ([(7,)], [(7,)], [])  # each runs after the one before
        assert sent == [True, True, True]
        # one statement alone goes out as usual
        sent.clear()
        alone = rows_together(
            [('SELECT "value" FROM "tickets_ticketcounter" WHERE "period" = %s', [4242])]
        )
        assert alone == [[(7,)]]
        assert sent == [False]
        assert TicketCounter.objects.get(period=4242).value == 7
