"""Routing under real concurrency: threads creating tickets at once against PostgreSQL.

Like tests/tickets/test_numbering.py these commit for real (no per-test rollback), so each
test sets up and removes its own rows in the session tenant.
"""

import contextlib
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import F
from django_tenants.utils import schema_context

from automation.models import Rule
from automation.routing.models import RoutingAgentLast, RoutingSettings, RoutingState
from automation.routing.services import ticket_route
from panel1.accounts.models import Role, User
from tickets.models import AgentProfile, Ticket, TicketEvent
from tickets.services import ticket_create

pytestmark = pytest.mark.slow

THREADS = 8


# Routed in the creation's transaction (no `ticket.created` rule), or after commit behind
# such a rule: both paths keep capacity and fairness.
PATHS = pytest.mark.parametrize("after_rules", [False, True], ids=["at-creation", "after-rules"])


@contextlib.contextmanager
def routed_tenant(tenant, django_db_blocker, *, strategy, agents, after_rules=False):
    """Routing `strategy` with `agents` [(name, capacity)] online; yields (requester, users).
    With `after_rules`, an active `ticket.created` rule (it tags) puts routing after commit."""
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        RoutingSettings.objects.update_or_create(pk=1, defaults={"strategy": strategy})
        RoutingState.objects.update_or_create(pk=1, defaults={"sequence": 0})
        RoutingAgentLast.objects.all().delete()
        if after_rules:  # written directly: committed here, so no audit entry to leave behind
            Rule.objects.create(
                name="Concurrency tag",
                trigger_event="ticket.created",
                actions=[{"type": "add_tags", "parameters": {"tags": ["seen"]}}],
            )
        requester = User.objects.create_user("routing-load@customer.test", role=Role.CUSTOMER)
        users = []
        for name, capacity in agents:
            user = User.objects.create_user(
                f"{name.lower()}-routing@helpdesk.test", name=name, role=Role.AGENT
            )
            AgentProfile.objects.create(user=user, status="online", capacity=capacity)
            users.append(user)
    try:
        yield requester, users
    finally:
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            Ticket.objects.filter(requester=requester).delete()
            AgentProfile.objects.filter(user__in=users).delete()
            User.objects.filter(pk__in=[u.pk for u in [requester, *users]]).delete()
            RoutingSettings.objects.filter(pk=1).delete()
            RoutingState.objects.filter(pk=1).delete()
            Rule.objects.filter(name="Concurrency tag").delete()


def create_in_parallel(tenant, django_db_blocker, requester, per_thread):
    errors: list[Exception] = []
    barrier = threading.Barrier(THREADS)

    def work():
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                barrier.wait()
                for i in range(per_thread):
                    ticket_create(
                        actor=requester, requester=requester, subject=f"p{i}", content="load"
                    )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []


@PATHS
def test_parallel_creation_never_exceeds_capacity(session_tenants, django_db_blocker, after_rules):
    tenant = session_tenants[0]
    agents = [("Ann", 3), ("Ben", 2), ("Cal", 4)]
    with routed_tenant(
        tenant, django_db_blocker, strategy="load_balanced", agents=agents, after_rules=after_rules
    ) as (requester, users):
        create_in_parallel(tenant, django_db_blocker, requester, per_thread=3)
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            tickets = Ticket.objects.filter(requester=requester)
            loads = Counter(tickets.exclude(assignee=None).values_list("assignee_id", flat=True))
            waiting = list(tickets.filter(assignee=None).values_list("routing_reason", flat=True))
            history = list(
                TicketEvent.objects.filter(
                    ticket__requester=requester,
                    event__in=["ticket.updated", "ticket.assigned"],
                )
                .order_by("id")
                .values_list("ticket_id", "event")
            )
    # with the rule: it tagged every ticket before routing assigned it (after commit)
    first = {}
    for ticket_id, event in history:
        first.setdefault(ticket_id, event)
    assigned = {ticket_id for ticket_id, event in history if event == "ticket.assigned"}
    assert len(assigned) == 9
    expected = "ticket.updated" if after_rules else "ticket.assigned"
    assert {first[ticket_id] for ticket_id in assigned} == {expected}
    assert {user.pk: loads[user.pk] for user in users} == {
        user.pk: capacity for user, (_, capacity) in zip(users, agents, strict=True)
    }
    assert len(waiting) == THREADS * 3 - 9
    assert all(reason.startswith("nobody eligible: ") for reason in waiting)


@PATHS
def test_round_robin_stays_fair_under_parallel_creation(
    session_tenants, django_db_blocker, after_rules
):
    tenant = session_tenants[0]
    agents = [(name, 0) for name in ("Ada", "Bea", "Cid", "Dot", "Eli")]
    with routed_tenant(
        tenant, django_db_blocker, strategy="round_robin", agents=agents, after_rules=after_rules
    ) as (requester, users):
        create_in_parallel(tenant, django_db_blocker, requester, per_thread=5)
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            # History rows are written under the routing lock: their ids are decision order.
            order = list(
                TicketEvent.objects.filter(
                    ticket__requester=requester,
                    event="ticket.assigned",
                    actor_label="automation: routing",
                )
                .order_by("id")
                .values_list("after", flat=True)
            )
    assert len(order) == THREADS * 5
    counts = Counter()
    for email in order:
        counts[email] += 1
        # nobody gets a second ticket before every eligible agent got one
        assert max(counts.values()) - min(counts[u.email] for u in users) <= 1
    assert set(counts.values()) == {THREADS}


def test_a_creation_never_waits_for_the_routing_lock(session_tenants, django_db_blocker):
    """While a decision elsewhere holds the routing state, a new ticket is not routed in its
    creation (no waiting there, holding the ticket counter); it is routed after commit."""
    tenant = session_tenants[0]
    locked, release = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def hold_the_state():
        try:
            with (
                django_db_blocker.unblock(),
                schema_context(tenant.schema_name),
                transaction.atomic(),
            ):
                RoutingState.objects.select_for_update().get(pk=1)
                locked.set()
                release.wait(30)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            locked.set()
            connection.close()

    with routed_tenant(
        tenant, django_db_blocker, strategy="load_balanced", agents=[("Kim", 5)]
    ) as (requester, users):
        holder = threading.Thread(target=hold_the_state)
        holder.start()
        locked.wait(30)
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                with transaction.atomic():
                    ticket = ticket_create(
                        actor=requester, requester=requester, subject="wait", content="no"
                    )
                    assert ticket.assignee_id is None  # not routed while the state is held
                    release.set()
                # after commit: routed once the holder let go
                ticket.refresh_from_db()
                assert ticket.assignee_id == users[0].pk
        finally:
            release.set()
            holder.join()
    assert errors == []


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid())"
        )
        return cursor.fetchone()[0]


def test_a_decision_that_waited_for_the_lock_counts_what_the_holder_assigned(
    session_tenants, django_db_blocker
):
    """A decision reads the pool in its locking statement, whose snapshot predates the wait:
    when the decision holding the state committed meanwhile, the pool is read again."""
    tenant = session_tenants[0]
    errors: list[Exception] = []
    with routed_tenant(
        tenant, django_db_blocker, strategy="load_balanced", agents=[("Ann", 1), ("Ben", 1)]
    ) as (requester, (ann, ben)):
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            first = Ticket.objects.create(number="W-1", subject="held", requester=requester)
            waiting = Ticket.objects.create(number="W-2", subject="waits", requester=requester)

        def hold_then_assign():
            """As a decision: assign Ann (now at capacity) under the state lock, advance."""
            try:
                with (
                    django_db_blocker.unblock(),
                    schema_context(tenant.schema_name),
                    transaction.atomic(),
                ):
                    RoutingState.objects.select_for_update().get(pk=1)
                    started.set()
                    for _ in range(300):
                        if _someone_waits_for_a_lock():
                            break
                        time.sleep(0.01)
                    Ticket.objects.filter(pk=first.pk).update(assignee=ann)
                    RoutingState.objects.filter(pk=1).update(sequence=F("sequence") + 1)
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                started.set()
                connection.close()

        started = threading.Event()
        holder = threading.Thread(target=hold_then_assign)
        holder.start()
        started.wait(30)
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                decision = ticket_route(ticket_id=waiting.pk)
                waiting.refresh_from_db()
        finally:
            holder.join()
    assert errors == []
    assert decision.agent_id == str(ben.pk)
    assert waiting.assignee_id == ben.pk
