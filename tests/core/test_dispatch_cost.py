"""The after-commit dispatch's cost and the behaviour its shortcuts must keep.

Statement budgets (django_assert_max_num_queries, inside the test transaction: atomic blocks
are savepoints, counted) for the paths the event bus serves: a routed API create, an SLA
monitor pass flagging many tickets, a mail ingest. Then the guarantees behind them: events
caused during a dispatch run in the same transaction (claimed when written, dropped with a
failed subscriber), a batch dispatches its inner savepoints' events once, and the per-tenant
configuration cache keeps tenants apart and sees changes made by other processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from automation.engine import active_rules
from desk.models import Notification, NotificationKind
from desk.notifications import on_assigned
from panel1 import tenant_cache
from panel1.api.tokens import api_token_create
from panel1.events import bus
from panel1.events.models import EventRecord
from sla.models import TicketSLA
from sla.monitor import sla_monitor_run
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tests.factories.routing import AgentProfileFactory, routing_configure
from tickets.models import Ticket

# measured 17 here (20 when the decision ran after commit: its writes were a statement of
# their own; 31 before that: the state and ticket locks were two statements, the desk
# notification re-read the ticket and read the preferences apart, savepoints isolated each
# subscriber and the notification row, and the ticket update, the history row, the event row
# and the state update were one statement each): the 15 of an unrouted create + the state
# lock with the pool (one statement, in the creation's transaction; no ticket lock: the row
# is its own; the assignment's writes and the assignee's in-app entry go in with the
# creation's; the entry was a statement of its own after commit, 17 in all)
ROUTED_CREATE_MAX = 16
# 20 breaches of assigned tickets: measured 67 (148 before the ticket's assignee came with
# their preferences and the subscribers ran without savepoints; 243 before that: an INSERT, a
# claim and a dispatch transaction per event) = a fixed part + about 3 per ticket, mostly the
# assignee's desk notification (the ticket with its assignee and their preferences, the
# notification row); the events go in with one INSERT and out with one claim and one
# dispatch transaction
FLAG_PASS_MAX = 67
BODY = {"subject": "Printer", "content": "Jammed.", "requester_email": "p@customer.test"}


@pytest.fixture
def token_client(tenant, api_client, monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # jobs queued as in production
    _, key = api_token_create(actor=AdminFactory(), user=AgentFactory(), name="cost")
    client = api_client(token=key)
    client.post("/api/v1/tickets/", BODY, format="json")  # warm: first-use work
    return client


def test_a_routed_create_dispatches_the_assignment_in_the_same_transaction(
    token_client, django_assert_max_num_queries
):
    agent = AgentProfileFactory(user=AgentFactory(name="Router Target"), capacity=10).user
    routing_configure(strategy="load_balanced")
    token_client.post("/api/v1/tickets/", BODY, format="json")  # warm: settings re-read
    budget = django_assert_max_num_queries(ROUTED_CREATE_MAX)
    with CaptureQueriesContext(connection) as ctx, budget:
        response = token_client.post("/api/v1/tickets/", BODY, format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).assignee_id == agent.pk
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrec')]
    assert len(claims) == 1  # ticket.assigned was written claimed, not claimed again
    # The assignee's in-app entry went in with the creation's writes, in its transaction.
    entries = [q["sql"] for q in ctx.captured_queries if "desk_notification" in q["sql"]]
    assert len(entries) == 1 and entries[0].lstrip().startswith("WITH write_")
    entry = Notification.objects.get(user=agent, ticket_id=response.json()["id"])
    assert entry.kind == NotificationKind.ASSIGNMENT and "assigned" in entry.text
    assigned = EventRecord.objects.get(
        name="ticket.assigned", payload__ticket_id=response.json()["id"]
    )
    assert assigned.claimed_at is not None and assigned.processed_at is not None
    # Delivered again (the sweeper after a crash, without the ticket in memory): no second entry.
    on_assigned(bus._event_from_record(assigned))
    assert Notification.objects.filter(user=agent, ticket_id=response.json()["id"]).count() == 1


def test_a_monitor_pass_flags_a_batch_with_one_dispatch(
    tenant, run_on_commit, events, django_assert_max_num_queries, monkeypatch
):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # jobs queued as in production
    tickets = TicketFactory.create_batch(20)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(assignee=AgentFactory())
    past = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    TicketSLA.objects.filter(ticket__in=tickets).update(first_response_due_at=past)
    budget = django_assert_max_num_queries(FLAG_PASS_MAX)
    with CaptureQueriesContext(connection) as ctx, budget, run_on_commit():
        result = sla_monitor_run()
    assert result.breached == 20
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrec')]
    inserts = [q for q in ctx.captured_queries if 'INSERT INTO "events_' in q["sql"]]
    assert len(claims) == 1 and len(inserts) == 1
    breached = {e.payload["ticket_id"] for e in events if e.name == "sla.breach"}
    assert breached == {str(t.pk) for t in tickets}


def test_events_caused_during_a_dispatch_run_after_their_cause_in_its_transaction(
    tenant, run_on_commit
):
    ticket = TicketFactory()
    seen: list[tuple[str, bool]] = []

    def cause(event):
        bus.emit("ticket.updated", payload={"ticket_id": event.ticket_id, "caused": True})

    def record(event):
        seen.append((event.name, connection.in_atomic_block))

    bus.subscribe("ticket.escalated", key="tests.cause", handler=cause)
    bus.subscribe("ticket.updated", key="tests.record", handler=record)
    bus.subscribe("ticket.escalated", key="tests.record", handler=record)
    try:
        with run_on_commit(), transaction.atomic():
            bus.emit("ticket.escalated", payload={"ticket_id": str(ticket.pk)})
    finally:
        bus.unsubscribe("ticket.escalated", key="tests.cause")
        bus.unsubscribe("ticket.updated", key="tests.record")
        bus.unsubscribe("ticket.escalated", key="tests.record")
    assert [name for name, _ in seen] == ["ticket.escalated", "ticket.updated"]
    caused = EventRecord.objects.get(name="ticket.updated", payload__caused=True)
    assert caused.claimed_at is not None  # written claimed: the sweeper never runs it again


def test_the_events_of_a_failed_subscriber_are_dropped_with_its_work(tenant, run_on_commit):
    ticket = TicketFactory()
    seen: list[str] = []

    def cause_then_fail(event):
        bus.emit("ticket.updated", payload={"ticket_id": event.ticket_id, "doomed": True})
        raise RuntimeError("subscriber bug")

    bus.subscribe("ticket.escalated", key="tests.fail", handler=cause_then_fail)
    bus.subscribe("ticket.updated", key="tests.record", handler=lambda e: seen.append(e.name))
    try:
        with run_on_commit(), transaction.atomic():
            bus.emit("ticket.escalated", payload={"ticket_id": str(ticket.pk)})
    finally:
        bus.unsubscribe("ticket.escalated", key="tests.fail")
        bus.unsubscribe("ticket.updated", key="tests.record")
    assert seen == []
    assert not EventRecord.objects.filter(payload__doomed=True).exists()


def test_a_failed_subscriber_keeps_the_others_database_work_and_drops_its_own(
    tenant, run_on_commit, caplog
):
    """Subscribers run without savepoints; a failure undoes the run and runs it again with
    each one isolated: the earlier and later subscribers' rows stay, the failed one's go."""
    from tickets.models import TicketEvent

    ticket = TicketFactory()

    def write(label):
        return lambda event: TicketEvent.objects.create(ticket=ticket, event=label)

    def swallow_a_database_error(event):
        TicketEvent.objects.create(ticket=ticket, event="doomed")
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # the transaction is aborted, the error swallowed

    handlers = (
        ("tests.before", write("before")),
        ("tests.fail", swallow_a_database_error),
        ("tests.after", write("after")),
    )
    for key, handler in handlers:
        bus.subscribe("ticket.escalated", key=key, handler=handler)
    try:
        with run_on_commit(), transaction.atomic():
            bus.emit("ticket.escalated", payload={"ticket_id": str(ticket.pk)})
    finally:
        for key, _handler in handlers:
            bus.unsubscribe("ticket.escalated", key=key)
    written = list(TicketEvent.objects.filter(ticket=ticket).values_list("event", flat=True))
    assert sorted(e for e in written if e in {"before", "after", "doomed"}) == ["after", "before"]
    assert caplog.text.count("tests.fail failed") == 1
    escalated = EventRecord.objects.get(name="ticket.escalated", payload__ticket_id=str(ticket.pk))
    assert escalated.processed_at is not None


def test_a_batch_dispatches_the_events_of_its_savepoints_once_and_not_rolled_back_ones(
    tenant, run_on_commit, events
):
    ticket = TicketFactory()
    batch = transaction.atomic(), bus.batch()
    with CaptureQueriesContext(connection) as ctx, run_on_commit(), batch[0], batch[1]:
        with transaction.atomic():
            bus.emit("ticket.updated", payload={"ticket_id": str(ticket.pk), "n": 1})
        with contextlib.suppress(RuntimeError), transaction.atomic():
            bus.emit("ticket.updated", payload={"ticket_id": str(ticket.pk), "n": 2})
            raise RuntimeError("undo")
        bus.emit("ticket.updated", payload={"ticket_id": str(ticket.pk), "n": 3})
    assert [e.payload["n"] for e in events if e.name == "ticket.updated"] == [1, 3]
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrec')]
    assert len(claims) == 1


# --- the per-tenant configuration cache -------------------------------------------------------


def _rule(name: str):
    from tests.factories.automation import RuleFactory

    return RuleFactory(name=name, trigger_event="ticket.created", is_active=True)


def test_configuration_is_kept_per_tenant(tenant, other_tenant):
    _rule("Alpha rule")
    with in_schema(other_tenant):
        _rule("Beta rule")
        assert [r.name for r in active_rules("ticket.created")] == ["Beta rule"]
    assert [r.name for r in active_rules("ticket.created")] == ["Alpha rule"]
    with in_schema(other_tenant):
        assert [r.name for r in active_rules("ticket.created")] == ["Beta rule"]


def test_configuration_is_read_from_memory_until_another_process_changes_it(tenant):
    _rule("First")
    assert [r.name for r in active_rules("ticket.created")] == ["First"]
    with CaptureQueriesContext(connection) as ctx:
        assert [r.name for r in active_rules("ticket.created")] == ["First"]
    assert ctx.captured_queries == []
    # Another process changed the rules: it wrote the rows and a new version to the shared
    # cache; this process's memory still holds the old list under the old version.
    from automation.models import Rule

    Rule.objects.filter(name="First").update(name="Renamed")  # no signal here
    assert [r.name for r in active_rules("ticket.created")] == ["First"]
    cache.set(tenant_cache.VERSION_KEY, "another-process", None)
    assert [r.name for r in active_rules("ticket.created")] == ["Renamed"]


def test_a_request_reads_the_version_once(tenant):
    with tenant_cache.scope():
        first = tenant_cache.version()
        cache.set(tenant_cache.VERSION_KEY, "changed-elsewhere", None)
        assert tenant_cache.version() == first  # the scope keeps what it read
        tenant_cache.bump()  # a change made here is seen here at once
        assert tenant_cache.version() not in (first, "changed-elsewhere")
    assert Ticket.objects.count() >= 0


def test_a_mail_ingest_dispatches_once(tenant, ingest_batch):
    CustomerFactory(email="carol@customer.test")
    with CaptureQueriesContext(connection) as ctx:
        inbound = ingest_batch()
    assert inbound.ticket_id is not None
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrec')]
    assert len(claims) == 1


@pytest.fixture
def ingest_batch(tenant, run_on_commit):
    from panel1.plugins.state import memo_scope
    from tests.factories.email import raw_mail
    from tickets.email.ingest import inbound_receive

    def run():
        with run_on_commit(), memo_scope():
            return inbound_receive(raw=raw_mail(subject="New printer"), source="test")

    return run


def test_a_service_batch_in_a_savepoint_of_a_batch_keeps_one_insert_and_joins_its_dispatch(
    tenant, run_on_commit, events
):
    from tickets import services

    customer = CustomerFactory()
    outer, inner = transaction.atomic(), transaction.atomic()
    with CaptureQueriesContext(connection) as ctx, run_on_commit(), outer, bus.batch(), inner:
        ticket = services.ticket_create(
            actor=customer, requester=customer, subject="Nested", content="Batch"
        )
        services.message_add(ticket=ticket, actor=customer, content="More")
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum('INSERT INTO "events_eventrecord"' in sql for sql in sqls) == 2
    assert sum(sql.startswith('UPDATE "events_eventrecord"') for sql in sqls) == 1
    names = [e.name for e in events if e.payload.get("ticket_id") == str(ticket.pk)]
    assert names[0] == "ticket.created" and "message.added" in names


# An escalation pass over n due tickets whose rule raises the priority, assigns and notifies:
# measured 41 + 6 per ticket (before: about 45 per ticket, a transaction, a claim per rule,
# a savepoint and a lock per service and a dispatch per ticket). The fixed part locks the
# batch's tickets and SLA rows (one statement each), claims the rules (one UPDATE), changes
# priority and assignee (one UPDATE), writes the notices' notes (one INSERT, one UPDATE
# touching their tickets), raises the levels (one UPDATE), saves the derived SLA fields (one
# executemany), writes the history rows and events (one INSERT each) and claims them in one
# dispatch. Per ticket: only the desk's assignment notification after commit (the ticket, the
# preferences, the notification in a savepoint, the subscriber's savepoint); the SLA
# re-match uses the batch's locked state.
ESCALATION_FIXED, ESCALATION_PER_TICKET = 42, 6
# The same with a rule that only raises the escalation level: nothing per ticket.
FLAG_ESCALATION_MAX = 35


@pytest.fixture
def due_tickets(tenant, monkeypatch):
    """`due_tickets(n, **rule)`: n HIGH tickets, every target breached, one rule due."""
    from django_q.conf import Conf

    from panel1.actors import Actor
    from sla import services as sla_services
    from sla.models import SlaProfile

    monkeypatch.setattr(Conf, "SYNC", False)  # jobs queued as in production

    def make(count: int, **rule) -> list[Ticket]:
        for profile in SlaProfile.objects.all():
            sla_services.sla_profile_update(
                profile=profile,
                actor=Actor.system(),
                escalation_rules=[{"after_minutes": 1, **rule}],
            )
        tickets = TicketFactory.create_batch(count, priority="HIGH")
        past = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        TicketSLA.objects.filter(ticket__in=tickets).update(
            started_at=past,
            next_escalation_at=past,
            first_response_breached=True,
            first_response_at_risk=True,
            next_response_breached=True,
            resolution_breached=True,
            first_response_due_at=None,
            next_response_due_at=None,
            resolution_due_at=None,
        )
        return tickets

    return make


@pytest.mark.parametrize("count", [5, 20])
def test_escalations_cost_a_fixed_part_and_a_few_statements_per_ticket(
    due_tickets, run_on_commit, django_assert_max_num_queries, count
):
    agent = AgentFactory()
    tickets = due_tickets(
        count, change_priority="URGENT", assign_to_id=str(agent.pk), notify_user_ids=[agent.pk]
    )
    budget = django_assert_max_num_queries(ESCALATION_FIXED + ESCALATION_PER_TICKET * count)
    with CaptureQueriesContext(connection) as ctx, budget, run_on_commit():
        result = sla_monitor_run()
    assert result.escalations == count
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrec')]
    assert len(claims) == 1  # one dispatch for the batch, not one per ticket or service
    changed = Ticket.objects.filter(pk__in=[t.pk for t in tickets])
    assert set(changed.values_list("priority", "assignee", "escalation_level", "version")) == {
        ("URGENT", agent.pk, 1, 4)  # version 1, then changed, noted, escalated: one bump each
    }


def test_escalations_that_only_raise_the_level_cost_the_same_for_5_or_20_tickets(
    due_tickets, run_on_commit, django_assert_max_num_queries
):
    due_tickets(5)
    with django_assert_max_num_queries(FLAG_ESCALATION_MAX), run_on_commit():
        assert sla_monitor_run().escalations == 5
    due_tickets(20)
    with django_assert_max_num_queries(FLAG_ESCALATION_MAX), run_on_commit():
        assert sla_monitor_run().escalations == 20
