"""The reduced pool read (`pool.reduced_pool_sql`: the few agents a round-robin or
load-balanced decision can choose, or the previous agent's row alone) decides what the
whole pool decides: for random agents (status, capacity, open tickets and load, last
assignment, categories, absences, names with ties and in other scripts) and random tickets,
the decision from the reduced rows, reason included, is the decision from every agent's row
(hypothesis, against PostgreSQL)."""

import datetime as dt
import random
import uuid

from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from automation.routing import selection, services
from automation.routing.models import RoutingAgentLast
from automation.routing.pool import (
    candidates,
    pool_rows,
    reduced_pool_params,
    reduced_pool_sql,
)
from automation.routing.selection import TicketFacts
from panel1 import tenant_cache
from panel1.accounts.models import Role, User
from tests.factories import CategoryFactory
from tickets.models import AgentLoadDelta, AgentProfile

DB_EXAMPLES = hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Few names, so that ranks tie on everything but the name and the id; one empty (the e-mail
# stands in), case and scripts whose order differs between collations and code points.
NAMES = ["Ann", "ann", "Émile", "Zoë", "Bob", "Ωmega", ""]
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
AWAY = [{"start": "2026-12-01T00:00:00Z", "end": "2026-12-31T00:00:00Z"}]
LATER = [{"start": "2027-01-01T00:00:00Z", "end": "2027-01-31T00:00:00Z"}]

agents = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(NAMES),
            "status": st.sampled_from(["online", "online", "online", "away", "offline"]),
            "capacity": st.sampled_from([0, 0, 2, 3, 5]),
            "open": st.integers(min_value=0, max_value=2),
            "extra_load": st.integers(min_value=0, max_value=2),
            "last": st.integers(min_value=0, max_value=3),
            "categories": st.sampled_from([(), (), (), (0,), (1,), (0, 1)]),
            # None: no absence; AWAY: away now (judged in Python); LATER: available now,
            # but by the clock (the reduced read returns them whatever their rank).
            "absence": st.sampled_from([None, None, None, AWAY, LATER]),
        }
    ),
    min_size=0,
    max_size=30,
)
tickets = st.fixed_dictionaries(
    {
        "priority": st.sampled_from(["LOW", "MEDIUM", "HIGH", "URGENT"]),
        "category": st.sampled_from([None, 0, 1]),
        "previous": st.one_of(st.none(), st.integers(min_value=0, max_value=49)),
        "exclude": st.sets(st.integers(min_value=0, max_value=49), max_size=2),
    }
)
options = st.fixed_dictionaries(
    {
        "strategy": st.sampled_from([selection.ROUND_ROBIN, selection.LOAD_BALANCED]),
        "previous_agent": st.booleans(),
        "priority_first": st.booleans(),
    }
)


def _pool_load(specs, categories):
    users = User.objects.bulk_create(
        [
            User(
                email=f"a{index}-{uuid.uuid4().hex[:6]}@x.test", name=spec["name"], role=Role.AGENT
            )
            for index, spec in enumerate(specs)
        ]
    )
    profiles = AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user,
                status=spec["status"],
                capacity=spec["capacity"],
                out_of_office=spec["absence"] or [],
            )
            for user, spec in zip(users, specs, strict=True)
        ]
    )
    through = AgentProfile.categories.through
    through.objects.bulk_create(
        [
            through(agentprofile_id=profile.pk, category_id=categories[index].pk)
            for profile, spec in zip(profiles, specs, strict=True)
            for index in spec["categories"]
        ]
    )
    # Open tickets and load as the ticket trigger would have written them (two rows each,
    # as before a compaction).
    AgentLoadDelta.objects.bulk_create(
        [
            AgentLoadDelta(agent_id=user.pk, tickets=spec["open"], load=spec["open"] + part)
            for user, spec in zip(users, specs, strict=True)
            for part in (spec["extra_load"], 0)
        ]
    )
    RoutingAgentLast.objects.bulk_create(
        [
            RoutingAgentLast(agent_id=user.pk, sequence=spec["last"])
            for user, spec in zip(users, specs, strict=True)
            if spec["last"]
        ]
    )
    return [str(user.pk) for user in users]


def _reduced(facts: TicketFacts, *, priority_first: bool, exclude) -> services.Pool:
    sql = reduced_pool_sql(
        category="%s", previous="%s", priority="%s", priority_first=priority_first
    )
    params = [facts.category_id, facts.previous_agent_id, facts.priority]
    with connection.cursor() as cursor:
        cursor.execute(sql, params + reduced_pool_params(exclude))
        return services._pool_of(cursor.fetchall(), True)


def _decide_both_ways(specs, ticket, chosen) -> tuple[services.Pool, object, object]:
    """(the reduced pool read, its decision, the whole pool's decision), in a savepoint
    rolled back afterwards."""
    with transaction.atomic():
        tenant_cache.forget_process_memory()
        categories = [CategoryFactory(name="One"), CategoryFactory(name="Two")]
        ids = _pool_load(specs, categories)
        previous, category = ticket["previous"], ticket["category"]
        facts = TicketFacts(
            priority=ticket["priority"],
            category_id=str(categories[category].pk) if category is not None else None,
            category_name=categories[category].name if category is not None else "",
            previous_agent_id=ids[previous % len(ids)] if previous is not None and ids else None,
        )
        exclude = tuple(ids[index % len(ids)] for index in ticket["exclude"] if ids)
        everyone = candidates(now=NOW, rows=pool_rows())
        whole = selection.select_agent(facts, everyone, exclude=exclude, **chosen)
        pool = _reduced(facts, priority_first=chosen["priority_first"], exclude=exclude)
        if not pool.previous_only:
            _assert_each_orders_first_are_read(pool, everyone, facts, exclude)
        _agents, decision = services._select(facts, pool, now=NOW, exclude=exclude, **chosen)
        transaction.set_rollback(True)
    return pool, decision, whole


# The selection's orders (`selection._least_loaded`, `_round_robin`, priority first).
ORDERS = (
    lambda a: a.rank,
    lambda a: (a.last_assigned, a.name, a.id),
    lambda a: (-a.spare, a.load, a.last_assigned, a.name, a.id),
)


def _assert_each_orders_first_are_read(pool, everyone, facts, exclude):
    """Of the agents eligible by their row alone (not judged by the clock), the first
    `MAX_NAMED` in each order are among the rows read, and the others are counted."""
    timed = set(reduced_pool_params()[0])
    eligible = [
        agent
        for agent in selection._eligible_agents(everyone, facts.category_id, set(exclude))
        if agent.id not in timed
    ]
    read = {row[0] for row in pool.rows}
    for order in ORDERS:
        first = sorted(eligible, key=order)[: selection.MAX_NAMED]
        assert {agent.id for agent in first} <= read
    assert pool.unlisted == len([agent for agent in eligible if agent.id not in read])


@DB_EXAMPLES
@given(specs=agents, ticket=tickets, chosen=options)
def test_the_reduced_pool_decides_as_the_whole_pool(tenant, specs, ticket, chosen):
    pool, decision, whole = _decide_both_ways(specs, ticket, chosen)
    event(f"unlisted: {pool.unlisted > 0}, previous only: {pool.previous_only}")
    assert decision == whole


def test_the_reduced_pool_decides_as_the_whole_pool_for_many_random_pools(tenant):
    """The same over 50 bigger pools (20-80 agents, wider loads and last assignments: the
    three orders' first five rarely overlap), seeded: each order, the count and the previous
    agent's shortcut all decide some of them (the small pools above are where nobody is
    eligible)."""
    rng = random.Random(20)
    seen = {"unlisted": 0, "previous only": 0, "priority first": 0}
    for _ in range(50):
        spread = rng.choice([2, 40])  # ties on the last assignment, or few
        specs = [
            {
                "name": rng.choice(NAMES),
                "status": rng.choice(["online", "online", "online", "away", "offline"]),
                "capacity": rng.choice([0, 0, 3, 5, 8]),
                "open": rng.randint(0, 6),
                "extra_load": rng.randint(0, 8),
                "last": rng.randint(0, spread),
                "categories": rng.choice([(), (), (), (0,), (1,), (0, 1)]),
                "absence": rng.choice([None, None, None, None, AWAY, LATER]),
            }
            for _ in range(rng.randint(20, 80))
        ]
        ticket = {
            "priority": rng.choice(["LOW", "MEDIUM", "HIGH", "URGENT"]),
            "category": rng.choice([None, None, 0, 1]),
            "previous": rng.choice([None, rng.randint(0, 79)]),
            "exclude": {rng.randint(0, 79) for _ in range(rng.randint(0, 2))},
        }
        chosen = {
            "strategy": rng.choice([selection.ROUND_ROBIN, selection.LOAD_BALANCED]),
            "previous_agent": rng.random() < 0.5,
            "priority_first": rng.random() < 0.5,
        }
        pool, decision, whole = _decide_both_ways(specs, ticket, chosen)
        assert decision == whole, (specs, ticket, chosen)
        seen["unlisted"] += pool.unlisted > 0
        seen["previous only"] += pool.previous_only
        seen["priority first"] += whole.reason.startswith("priority first")
    assert all(count >= 3 for count in seen.values()), seen


def test_the_reduced_pool_reads_ten_rows_of_two_hundred_agents(tenant):
    """Whatever the number of agents, a few rows: the first five by load, by last
    assignment and by spare capacity, the timed ones and the previous agent."""
    tenant_cache.forget_process_memory()
    specs = [
        {
            "name": f"Agent {index:03d}",
            "status": "online",
            "capacity": 0,
            "open": index % 7,
            "extra_load": index % 3,
            "last": index,
            "categories": (),
            "absence": LATER if index < 2 else None,
        }
        for index in range(200)
    ]
    ids = _pool_load(specs, [CategoryFactory(name="One")])
    facts = TicketFacts(priority="MEDIUM")
    pool = _reduced(facts, priority_first=False, exclude=())
    assert 2 <= len(pool.rows) <= 2 + 3 * selection.MAX_NAMED
    assert not pool.previous_only
    # Everyone but the two timed agents is eligible by their row; those not read only count.
    assert pool.unlisted == 198 - sum(1 for row in pool.rows if row[0] not in ids[:2])
    decision = selection.select_agent(
        facts,
        candidates(now=timezone.now(), rows=pool.rows),
        strategy=selection.LOAD_BALANCED,
        unlisted=pool.unlisted,
    )
    whole = selection.select_agent(
        facts, candidates(now=timezone.now(), rows=pool_rows()), strategy=selection.LOAD_BALANCED
    )
    assert decision == whole and "more" in decision.reason
