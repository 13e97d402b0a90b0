"""Property tests of the pure selection function (no database)."""

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.routing.selection import (
    LOAD_BALANCED,
    MANUAL,
    PRIORITY_WEIGHT,
    ROUND_ROBIN,
    SKILLS,
    STRATEGIES,
    Agent,
    TicketFacts,
    select_agent,
)

CATEGORIES = ["c1", "c2", "c3"]
SKILL_TAGS = ["billing", "hardware", "vip"]
LANGS = ["en", "de", "fr"]

agents_strategy = st.lists(
    st.builds(
        Agent,
        id=st.uuids().map(str),
        name=st.sampled_from(["Alice", "Bob", "Carol", "Dan", "Eve"]),
        open_tickets=st.integers(0, 12),
        load=st.integers(0, 48),
        capacity=st.integers(0, 10),
        skills=st.frozensets(st.sampled_from(SKILL_TAGS)),
        languages=st.frozensets(st.sampled_from(LANGS)),
        categories=st.frozensets(st.sampled_from(CATEGORIES)),
        available=st.booleans(),
        last_assigned=st.integers(0, 50),
    ),
    max_size=8,
    unique_by=lambda agent: agent.id,
)
ticket_strategy = st.builds(
    TicketFacts,
    priority=st.sampled_from(list(PRIORITY_WEIGHT)),
    category_id=st.one_of(st.none(), st.sampled_from(CATEGORIES)),
    language=st.one_of(st.none(), st.sampled_from(LANGS)),
    tags=st.frozensets(st.sampled_from([*SKILL_TAGS, "other"])),
)


def eligible(agent, ticket):
    return agent.available and agent.has_room and agent.works(ticket.category_id)


@given(
    ticket=ticket_strategy,
    agents=agents_strategy,
    strategy=st.sampled_from(STRATEGIES),
    previous=st.booleans(),
    priority_first=st.booleans(),
    data=st.data(),
)
@settings(max_examples=400, deadline=None)
def test_only_eligible_agents_are_chosen_and_someone_is_when_possible(
    ticket, agents, strategy, previous, priority_first, data
):
    if agents and previous:
        ticket = replace(ticket, previous_agent_id=data.draw(st.sampled_from(agents)).id)
    decision = select_agent(
        ticket, agents, strategy=strategy, previous_agent=previous, priority_first=priority_first
    )
    assert decision.reason
    pool = [agent for agent in agents if eligible(agent, ticket)]
    if decision.agent_id is not None:
        chosen = next(agent for agent in agents if agent.id == decision.agent_id)
        assert eligible(chosen, ticket)
    elif strategy != MANUAL and pool and strategy != SKILLS:
        pytest.fail("an eligible agent existed but nobody was chosen")
    if strategy == MANUAL:
        assert decision.agent_id is None


@given(ticket=ticket_strategy, agents=agents_strategy)
@settings(max_examples=300, deadline=None)
def test_load_balanced_chooses_a_least_loaded_agent(ticket, agents):
    decision = select_agent(ticket, agents, strategy=LOAD_BALANCED)
    pool = [agent for agent in agents if eligible(agent, ticket)]
    if pool:
        chosen = next(agent for agent in pool if agent.id == decision.agent_id)
        assert chosen.load == min(agent.load for agent in pool)
        assert decision.reason.startswith("load balanced: ")


@given(ticket=ticket_strategy, agents=agents_strategy)
@settings(max_examples=300, deadline=None)
def test_priority_first_gives_urgent_work_the_most_spare_capacity(ticket, agents):
    ticket = replace(ticket, priority="URGENT")
    decision = select_agent(ticket, agents, strategy=ROUND_ROBIN, priority_first=True)
    pool = [agent for agent in agents if eligible(agent, ticket)]
    if pool:
        chosen = next(agent for agent in pool if agent.id == decision.agent_id)
        assert chosen.spare == max(agent.spare for agent in pool)


@given(
    ticket=ticket_strategy,
    agents=agents_strategy,
    strategy=st.sampled_from(STRATEGIES),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_excluded_agents_are_never_chosen(ticket, agents, strategy, data):
    excluded = {agent.id for agent in agents if data.draw(st.booleans())}
    decision = select_agent(ticket, agents, strategy=strategy, exclude=excluded)
    assert decision.agent_id not in excluded


def _simulate(agents, tickets, strategy):
    """Route tickets one after another as the router does: loads and sequence move on."""
    by_id = {agent.id: agent for agent in agents}
    sequence = 0
    chosen_order = []
    for ticket in tickets:
        decision = select_agent(ticket, list(by_id.values()), strategy=strategy)
        if decision.agent_id is None:
            chosen_order.append(None)
            continue
        sequence += 1
        agent = by_id[decision.agent_id]
        by_id[agent.id] = replace(
            agent,
            open_tickets=agent.open_tickets + 1,
            load=agent.load + PRIORITY_WEIGHT[ticket.priority],
            last_assigned=sequence,
        )
        chosen_order.append(agent.id)
    return by_id, chosen_order


@given(
    size=st.integers(1, 7),
    rounds=st.integers(1, 40),
    priorities=st.lists(st.sampled_from(list(PRIORITY_WEIGHT)), min_size=40, max_size=40),
)
@settings(max_examples=200, deadline=None)
def test_round_robin_is_fair(size, rounds, priorities):
    """No agent gets a second ticket before every eligible agent got one."""
    agents = [Agent(id=f"a{i}", name=f"Agent {i}") for i in range(size)]
    tickets = [TicketFacts(priority=priorities[i]) for i in range(rounds)]
    _, order = _simulate(agents, tickets, ROUND_ROBIN)
    counts = dict.fromkeys((agent.id for agent in agents), 0)
    for agent_id in order:
        counts[agent_id] += 1
        assert max(counts.values()) - min(counts.values()) <= 1


@given(
    capacities=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    strategy=st.sampled_from([ROUND_ROBIN, LOAD_BALANCED, SKILLS]),
    rounds=st.integers(1, 40),
)
@settings(max_examples=200, deadline=None)
def test_capacity_is_never_exceeded(capacities, strategy, rounds):
    agents = [Agent(id=f"a{i}", name=f"A{i}", capacity=c) for i, c in enumerate(capacities)]
    final, order = _simulate(agents, [TicketFacts()] * rounds, strategy)
    for agent in final.values():
        assert agent.capacity == 0 or agent.open_tickets <= agent.capacity
    total = sum(capacities) if all(capacities) else math.inf
    assigned = sum(1 for agent_id in order if agent_id is not None)
    assert assigned == min(rounds, total)


def test_reason_names_loads_skill_and_language():
    alice = Agent(id="a", name="Alice", open_tickets=3, load=6, capacity=10)
    bob = Agent(id="b", name="Bob", open_tickets=5, load=10, capacity=10)
    decision = select_agent(TicketFacts(), [bob, alice], strategy=LOAD_BALANCED)
    assert decision.reason == "load balanced: Alice 3 open of 10, Bob 5 open of 10"
    expert = replace(alice, skills=frozenset({"billing"}), languages=frozenset({"de"}))
    ticket = TicketFacts(language="de", tags=frozenset({"billing"}))
    decision = select_agent(ticket, [expert, bob], strategy=SKILLS)
    assert decision.reason == (
        "skills: load balanced: Alice 3 open of 10; skill: billing; language: de"
    )


def test_skills_without_a_skilled_agent_waits():
    agent = Agent(id="a", name="Alice", skills=frozenset({"hardware"}))
    other = Agent(id="b", name="Bob", skills=frozenset({"billing"}), available=False)
    decision = select_agent(
        TicketFacts(tags=frozenset({"billing"})), [agent, other], strategy=SKILLS
    )
    assert decision.agent_id is None and "billing" in decision.reason


def test_unknown_strategy_is_an_error():
    with pytest.raises(ValueError):
        select_agent(TicketFacts(), [], strategy="random")
