"""Routing under real concurrency: threads creating tickets at once against PostgreSQL.

Like tests/tickets/test_numbering.py these commit for real (no per-test rollback), so each
test sets up and removes its own rows in the session tenant.
"""

import contextlib
import threading
from collections import Counter

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from automation.routing.models import RoutingSettings, RoutingState
from panel1.accounts.models import Role, User
from tickets.models import AgentProfile, Ticket, TicketEvent
from tickets.services import ticket_create

pytestmark = pytest.mark.slow

THREADS = 8


@contextlib.contextmanager
def routed_tenant(tenant, django_db_blocker, *, strategy, agents):
    """Routing `strategy` with `agents` [(name, capacity)] online; yields (requester, users)."""
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        RoutingSettings.objects.update_or_create(pk=1, defaults={"strategy": strategy})
        RoutingState.objects.update_or_create(pk=1, defaults={"sequence": 0, "last_assigned": {}})
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


def test_parallel_creation_never_exceeds_capacity(session_tenants, django_db_blocker):
    tenant = session_tenants[0]
    agents = [("Ann", 3), ("Ben", 2), ("Cal", 4)]
    with routed_tenant(tenant, django_db_blocker, strategy="load_balanced", agents=agents) as (
        requester,
        users,
    ):
        create_in_parallel(tenant, django_db_blocker, requester, per_thread=3)
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            tickets = Ticket.objects.filter(requester=requester)
            loads = Counter(tickets.exclude(assignee=None).values_list("assignee_id", flat=True))
            waiting = list(tickets.filter(assignee=None).values_list("routing_reason", flat=True))
    assert {user.pk: loads[user.pk] for user in users} == {
        user.pk: capacity for user, (_, capacity) in zip(users, agents, strict=True)
    }
    assert len(waiting) == THREADS * 3 - 9
    assert all(reason.startswith("nobody eligible: ") for reason in waiting)


def test_round_robin_stays_fair_under_parallel_creation(session_tenants, django_db_blocker):
    tenant = session_tenants[0]
    agents = [(name, 0) for name in ("Ada", "Bea", "Cid", "Dot", "Eli")]
    with routed_tenant(tenant, django_db_blocker, strategy="round_robin", agents=agents) as (
        requester,
        users,
    ):
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
