"""A routing decision costs a fixed number of statements, whatever the number of agents and
tickets (the pool and its load are one query), and writes what `ticket_assign` writes."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from automation.routing.services import ticket_route
from panel1.events import names
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, TicketFactory
from tests.factories.routing import (
    AgentProfileFactory,
    routing_after_commit,
    routing_configure,
)
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_assign

# state and ticket locks (with the category strategy and previous agent) and the pool with its
# load (one prepared statement; the pool once more only when a decision committed while it
# waited for the locks), then ticket update, history row, event row, state update and the
# assignee's in-app entry (one statement): two statements; the settings and the agents'
# profiles come from process memory (panel1.tenant_cache: one statement more each after a
# change of the tenant's configuration)
DECISION_STATEMENTS = 2


def _statements(ticket_id) -> int:
    with CaptureQueriesContext(connection) as ctx:
        decision = ticket_route(ticket_id=ticket_id)
    assert decision is not None and decision.assigned
    return sum(
        1 for q in ctx.captured_queries if not q["sql"].startswith(("SET ", "SAVEPOINT", "RELEASE"))
    )


def _agents(count: int, **profile):
    return [
        AgentProfileFactory(user=AgentFactory(name=f"Agent {len(str(i))}{i}"), **profile).user
        for i in range(count)
    ]


def test_decision_statements_do_not_grow_with_agents_or_tickets(tenant):
    routing_after_commit()
    routing_configure(strategy="load_balanced", previous_agent=True)
    category = CategoryFactory()
    agents = _agents(2, capacity=50, categories=[category])
    customer = CustomerFactory()
    ticket_route(ticket_id=TicketFactory().pk)  # the tenant's first decision creates the state
    small = _statements(TicketFactory(requester=customer, category=category).pk)

    more = _agents(25, capacity=50)
    for agent in more[:10]:
        for _ in range(3):
            ticket_assign(ticket=TicketFactory(), actor=None, assignee=agent)
    ticket_route(ticket_id=TicketFactory().pk)  # new agent profiles: settings and profiles re-read
    large = _statements(TicketFactory(requester=customer, category=category).pk)

    assert small == large == DECISION_STATEMENTS
    assert agents  # the category's agents exist in both runs


def test_round_robin_and_skills_cost_the_same(tenant, django_assert_max_num_queries):
    routing_after_commit()
    _agents(6)
    ticket_route(ticket_id=TicketFactory().pk, strategy="round_robin")  # creates the state
    for strategy in ("round_robin", "skills"):
        routing_configure(strategy=strategy, priority_first=True)
        ticket = TicketFactory(priority="URGENT", tags=["billing"])
        with django_assert_max_num_queries(DECISION_STATEMENTS + 2):  # + savepoints of the test
            decision = ticket_route(ticket_id=ticket.pk)
        assert decision.assigned


def test_routed_assignment_writes_history_event_and_version(tenant, events, run_on_commit):
    routing_configure(strategy="load_balanced")
    (alice,) = _agents(1)
    ticket = TicketFactory()
    version = Ticket.objects.get(pk=ticket.pk).version

    with run_on_commit():
        decision = ticket_route(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.assignee == alice and ticket.routing_reason == decision.reason
    assert ticket.version == version + 1
    entry = TicketEvent.objects.get(ticket=ticket, event=names.TICKET_ASSIGNED)
    assert (entry.field, entry.before, entry.after) == ("assignee", None, alice.email)
    assert entry.reason == decision.reason and entry.actor_label == "automation: routing"
    assigned = [e for e in events if e.name == names.TICKET_ASSIGNED]
    assert [e.payload["changes"]["assignee"] for e in assigned] == [[None, str(alice.pk)]]


@pytest.mark.parametrize("strategy", ["load_balanced", "round_robin"])
def test_a_category_limited_agent_is_never_routed_outside_it(tenant, strategy):
    routing_configure(strategy=strategy)
    (limited,) = _agents(1, categories=[CategoryFactory()])
    decision = ticket_route(ticket_id=TicketFactory(category=CategoryFactory()).pk)
    assert not decision.assigned and limited.name in decision.reason


def test_decisions_inside_an_open_batch_each_advance_the_state_at_once(tenant):
    """A decision writes the state with its own batch's rows; inside a batch opened outside
    it, it writes the state at once, so the next decision reads it."""
    from django.db import transaction

    from automation.routing.models import RoutingAgentLast, RoutingState
    from panel1.events import bus

    routing_after_commit()
    routing_configure(strategy="round_robin")
    alice, bob = _agents(2)
    ticket_route(ticket_id=TicketFactory().pk)  # creates the state: one of them got it
    before = RoutingState.objects.get().sequence
    first, second = TicketFactory(), TicketFactory()
    with transaction.atomic(), bus.batch():
        one = ticket_route(ticket_id=first.pk)
        other = ticket_route(ticket_id=second.pk)
    assert {one.agent_id, other.agent_id} == {str(alice.pk), str(bob.pk)}
    state = RoutingState.objects.get()
    assert state.sequence == before + 2
    last = dict(RoutingAgentLast.objects.values_list("agent_id", "sequence"))
    assert (last[uuid.UUID(one.agent_id)], last[uuid.UUID(other.agent_id)]) == (
        before + 1,
        before + 2,
    )
    assigned = TicketEvent.objects.filter(ticket__in=[first, second], event=names.TICKET_ASSIGNED)
    assert assigned.count() == 2
