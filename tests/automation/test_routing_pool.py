"""The routing pool: profiles come from process memory per configuration version, what
changes between decisions from the database under the lock; agents that did not change are
not built again."""

from django.utils import timezone

from automation.routing.models import RoutingAgentLast
from automation.routing.pool import candidates
from tests.factories import AdminFactory, AgentFactory, CategoryFactory, TicketFactory
from tests.factories.routing import AgentProfileFactory, routing_configure
from tickets.models import AgentProfile, Ticket
from tickets.services import ticket_assign
from tickets.services.agents import agent_update


def _agent(name, **kwargs):
    return AgentProfileFactory(user=AgentFactory(name=name), **kwargs).user


def _routed(run_on_commit, **kwargs):
    with run_on_commit():
        ticket = TicketFactory(**kwargs)
    return Ticket.objects.get(pk=ticket.pk)


def test_profile_changes_between_decisions_take_effect(tenant, run_on_commit):
    routing_configure(strategy="skills")
    admin = AdminFactory()
    billing = CategoryFactory(name="Billing")
    alice, bob = _agent("Alice", skills=["billing"]), _agent("Bob")
    assert _routed(run_on_commit, tags=["billing"]).assignee == alice

    agent_update(actor=admin, agent=alice, skills=[])
    agent_update(actor=admin, agent=bob, skills=["billing"])
    assert _routed(run_on_commit, tags=["billing"]).assignee == bob

    agent_update(actor=admin, agent=bob, categories=[billing])
    ticket = _routed(run_on_commit, category=CategoryFactory(name="Other"), tags=["billing"])
    assert ticket.assignee is None
    assert ticket.routing_reason == "skills: nobody eligible has skill billing"

    period = {"start": "2020-01-01T00:00:00Z", "end": "2999-01-01T00:00:00Z"}
    agent_update(actor=admin, agent=alice, out_of_office=[period])
    ticket = _routed(run_on_commit, category=CategoryFactory(name="Third"))
    assert ticket.assignee is None and "Alice out of office" in ticket.routing_reason


def test_status_and_capacity_are_read_at_each_decision(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    alice, bob = _agent("Alice", capacity=1), _agent("Bob", capacity=5)
    ticket_assign(ticket=TicketFactory(), actor=None, assignee=bob)
    assert _routed(run_on_commit).assignee == alice
    # Not through the services: no new configuration version, the database still decides.
    AgentProfile.objects.filter(user=alice).update(capacity=3)
    AgentProfile.objects.filter(user=bob).update(status="offline")
    assert _routed(run_on_commit).assignee == alice


def test_a_profile_newer_than_the_cached_version_joins_the_pool(tenant, run_on_commit):
    routing_configure(strategy="load_balanced")
    bob = _agent("Bob")
    ticket_assign(ticket=TicketFactory(), actor=None, assignee=bob)
    assert _routed(run_on_commit).assignee == bob  # the profiles are in process memory now
    newcomer = AgentFactory(name="Newcomer")
    AgentProfile.objects.bulk_create([AgentProfile(user=newcomer, status="online")])  # no signal
    assert _routed(run_on_commit).assignee == newcomer


def test_agents_that_did_not_change_are_not_built_again(tenant):
    routing_configure(strategy="load_balanced")
    alice, bob = _agent("Alice"), _agent("Bob")
    now = timezone.now()
    first = {agent.id: agent for agent in candidates(now=now)}
    ticket_assign(ticket=TicketFactory(), actor=None, assignee=alice)
    RoutingAgentLast.objects.create(agent=bob, sequence=1)
    second = {agent.id: agent for agent in candidates(now=now)}

    assert second[str(alice.pk)].open_tickets == 1 and second[str(bob.pk)].last_assigned == 1
    assert first[str(alice.pk)] is not second[str(alice.pk)]
    assert first[str(bob.pk)] is not second[str(bob.pk)]
    third = {agent.id: agent for agent in candidates(now=now)}
    assert all(third[key] is second[key] for key in second)


def _loads_from_deltas():
    from django.db.models import Sum

    from tickets.models import AgentLoadDelta

    rows = AgentLoadDelta.objects.values("agent_id").annotate(n=Sum("tickets"), w=Sum("load"))
    return {row["agent_id"]: (row["n"], row["w"]) for row in rows if row["n"] or row["w"]}


def _loads_counted():
    from automation.routing.selection import PRIORITY_WEIGHT
    from tickets.models import OPEN_STATUSES

    loads: dict = {}
    open_tickets = Ticket.objects.filter(assignee__isnull=False, status__in=OPEN_STATUSES)
    for assignee_id, priority in open_tickets.values_list("assignee_id", "priority"):
        n, w = loads.get(assignee_id, (0, 0))
        loads[assignee_id] = (n + 1, w + PRIORITY_WEIGHT.get(priority, 1))
    return loads


def test_the_load_deltas_sum_to_each_agents_open_tickets_and_load(tenant):
    """The pool reads each agent's load from the rows the ticket trigger writes: after any
    ticket write they sum to what counting the agent's open tickets gives, also after a
    compaction."""
    from tickets.services import ticket_status_change, ticket_update
    from tickets.services.routing import agent_load_compact

    ann, ben = _agent("Ann"), _agent("Ben")
    first, second, third = TicketFactory(), TicketFactory(priority="URGENT"), TicketFactory()
    steps = [
        lambda: ticket_assign(ticket=first, actor=None, assignee=ann),
        lambda: ticket_assign(ticket=second, actor=None, assignee=ann),
        lambda: ticket_assign(ticket=first, actor=None, assignee=ben),
        lambda: ticket_update(ticket=second, actor=ann, priority="LOW"),
        lambda: ticket_status_change(ticket=second, actor=ann, status="RESOLVED"),
        lambda: ticket_status_change(ticket=second, actor=ann, status="OPEN"),
        lambda: Ticket.objects.filter(pk=third.pk).update(assignee=ben, priority="HIGH"),
        agent_load_compact,
        lambda: ticket_assign(ticket=first, actor=None, assignee=None),
        lambda: Ticket.objects.filter(pk=third.pk).delete(),
        agent_load_compact,
    ]
    for step in steps:
        step()
        assert _loads_from_deltas() == _loads_counted()
    assert _loads_counted() == {ann.pk: (1, 1)}
    now = timezone.now()
    pool = {agent.id: agent for agent in candidates(now=now)}
    assert (pool[str(ann.pk)].open_tickets, pool[str(ann.pk)].load) == (1, 1)
    assert (pool[str(ben.pk)].open_tickets, pool[str(ben.pk)].load) == (0, 0)


def test_the_trigger_counts_what_routing_counts():
    """The trigger's open statuses and priority weights are the Python ones."""
    import importlib
    import re

    from automation.routing.selection import PRIORITY_WEIGHT
    from tickets.models import OPEN_STATUSES

    migration = importlib.import_module("tickets.migrations.0016_agent_load_delta")
    assert re.findall(r"'(\w+)'", migration.OPEN) == [str(status) for status in OPEN_STATUSES]
    weights = dict(re.findall(r"WHEN '(\w+)' THEN (\d)", migration.WEIGHT))
    assert {key: int(value) for key, value in weights.items()} == PRIORITY_WEIGHT
    assert "ELSE 1 END" in migration.WEIGHT


def test_the_load_deltas_go_to_the_tickets_own_schema(tenant, other_tenant):
    """A write to this tenant's tickets under another tenant's search path (a maintenance
    statement naming the schema, say) still records the delta in this tenant's table."""
    from django.db import connection

    ann = _agent("Ann")
    ticket = TicketFactory()
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL search_path = "{other_tenant.schema_name}", public')
        cursor.execute(
            f'UPDATE "{tenant.schema_name}".tickets_ticket SET assignee_id = %s WHERE id = %s',
            [ann.pk, ticket.pk],
        )
        cursor.execute(
            f'SELECT count(*) FROM "{other_tenant.schema_name}".tickets_agentloaddelta '
            "WHERE agent_id = %s",
            [ann.pk],
        )
        leaked = cursor.fetchone()[0]
        cursor.execute(f'SET LOCAL search_path = "{tenant.schema_name}", public')
    assert leaked == 0
    assert _loads_from_deltas()[ann.pk] == (1, 2)  # MEDIUM weighs 2


def test_folding_the_load_deltas_gives_their_space_back(tenant, committed):
    """The fold is vacuumed after (outside a transaction): rows written and folded again
    and again reuse the table's pages instead of adding pages every decision reads (each
    reads the table whole). Real commits: a test transaction would keep the rows from being
    reclaimed."""
    import uuid

    from django.db import connection

    from tickets.models import AgentLoadDelta
    from tickets.services.routing import agent_load_compact

    agent = uuid.uuid4()

    def churn():
        AgentLoadDelta.objects.bulk_create(
            [AgentLoadDelta(agent_id=agent, tickets=1, load=2) for _ in range(3000)]
        )
        agent_load_compact()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size('tickets_agentloaddelta') / 8192")
            return cursor.fetchone()[0]

    try:
        first = committed(churn)
        again = [committed(churn) for _ in range(3)]
        assert max(again) <= first + 1  # without the vacuum: ~17 pages more each time
        assert committed(
            lambda: list(
                AgentLoadDelta.objects.filter(agent_id=agent).values_list("tickets", "load")
            )
        ) == [(12000, 24000)]
    finally:
        committed(lambda: AgentLoadDelta.objects.filter(agent_id=agent).delete())
