"""Choosing an agent for a ticket: pure functions over plain data, no Django, no clock.

The router (`automation.routing.services`) loads the candidates and their load under the
routing-state lock and calls `select_agent`; tests drive it directly (hypothesis). The answer
always says why, in words shown on the ticket: "load balanced: Alice 3 open of 10, Bob 5 of
10; skill: billing; language: de".
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from django.utils.translation import gettext_lazy as _

MANUAL = "manual"
ROUND_ROBIN = "round_robin"
LOAD_BALANCED = "load_balanced"
SKILLS = "skills"
STRATEGIES: tuple[str, ...] = (MANUAL, ROUND_ROBIN, LOAD_BALANCED, SKILLS)
STRATEGY_LABELS = {
    MANUAL: "manual",
    ROUND_ROBIN: _("round robin"),
    LOAD_BALANCED: _("load balanced"),
    SKILLS: "skills",
}

# Load is open tickets weighted by priority: an urgent ticket weighs as much as four low ones.
PRIORITY_WEIGHT = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "URGENT": 4}
PRIORITY_FIRST = frozenset({"HIGH", "URGENT"})
MAX_NAMED = 5  # agents named in a reason


@dataclass(frozen=True)
class Agent:
    """A candidate as the router sees them at the moment of the decision."""

    id: str
    name: str
    email: str = ""
    open_tickets: int = 0
    load: int = 0  # sum of PRIORITY_WEIGHT over their open tickets
    capacity: int = 0  # 0 = no limit
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()  # empty = every category
    available: bool = True
    unavailable_because: str = ""  # "offline", "outside working hours", ...
    last_assigned: int = 0  # routing sequence number of their last ticket; 0 = never
    # The load-balancing order, kept with the agent (the router reuses an agent whose row did
    # not change between decisions, so it is built once, not once per decision).
    rank: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rank = (self.load, self.open_tickets, self.last_assigned, self.name, self.id)
        object.__setattr__(self, "rank", rank)

    @property
    def has_room(self) -> bool:
        return self.capacity == 0 or self.open_tickets < self.capacity

    @property
    def spare(self) -> float:
        return math.inf if self.capacity == 0 else self.capacity - self.open_tickets

    def works(self, category_id: str | None) -> bool:
        return not self.categories or (category_id is not None and category_id in self.categories)

    def load_text(self) -> str:
        limit = "no limit" if self.capacity == 0 else str(self.capacity)
        return f"{self.name} {self.open_tickets} open of {limit}"


@dataclass(frozen=True)
class TicketFacts:
    priority: str = "MEDIUM"
    category_id: str | None = None
    category_name: str = ""
    language: str | None = None
    tags: frozenset[str] = frozenset()
    previous_agent_id: str | None = None


@dataclass(frozen=True)
class Decision:
    agent_id: str | None
    reason: str
    strategy: str
    considered: tuple[str, ...] = field(default=())

    @property
    def assigned(self) -> bool:
        return self.agent_id is not None


def select_agent(
    ticket: TicketFacts,
    agents: Sequence[Agent],
    *,
    strategy: str,
    previous_agent: bool = False,
    priority_first: bool = False,
    exclude: Iterable[str] = (),
    unlisted: int = 0,
) -> Decision:
    """Pick the agent for `ticket` among `agents`, or nobody, and say why.

    Only agents who are available, under capacity, work the ticket's category and are not
    in `exclude` are eligible. Modifiers come first: `priority_first` sends HIGH and URGENT
    tickets to the eligible agent with the most spare capacity; `previous_agent` keeps the
    requester with the agent of their last ticket. Then the strategy decides.

    `unlisted`: eligible agents left out of `agents`, each of whom comes after the
    `MAX_NAMED` first eligible ones of `agents` in every order used here (load, last
    assignment, spare capacity; the router's reduced pool read, `pool.reduced_pool_sql`):
    they only count in the reason ("and 12 more"). Not for the `skills` strategy, and
    nobody eligible means nobody among `agents` (the caller asks again with everyone).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    if strategy == MANUAL:
        return Decision(None, "manual routing: the ticket waits in the unassigned queue", MANUAL)
    excluded = set(exclude)
    eligible = _eligible_agents(agents, ticket.category_id, excluded)
    if not eligible:
        return Decision(None, _nobody_reason(ticket, agents, excluded), strategy)
    if priority_first and ticket.priority in PRIORITY_FIRST:
        chosen = min(eligible, key=lambda a: (-a.spare, a.load, a.last_assigned, a.name, a.id))
        free = "no limit" if chosen.capacity == 0 else f"{int(chosen.spare)} of {chosen.capacity}"
        reason = (
            f"priority first ({ticket.priority}): {chosen.name} has the most spare capacity "
            f"({free} free)"
        )
        return Decision(chosen.id, reason, strategy)
    if previous_agent and ticket.previous_agent_id:
        chosen = next((a for a in eligible if a.id == ticket.previous_agent_id), None)
        if chosen is not None:
            reason = f"previous agent: {chosen.name} handled this requester's last ticket"
            return Decision(chosen.id, reason, strategy)
    if strategy == ROUND_ROBIN:
        return _round_robin(eligible, unlisted)
    if strategy == LOAD_BALANCED:
        return _load_balanced(eligible, unlisted)
    if unlisted:
        raise ValueError("the skills strategy chooses among every agent")
    return _skills(ticket, eligible, agents)


def _eligible_agents(
    agents: Sequence[Agent], category_id: str | None, excluded: set[str]
) -> list[Agent]:
    """Available, under capacity (`has_room`), working the category (`works`), not
    excluded: written out, as this runs over every agent of the pool for every ticket."""
    eligible = [
        agent
        for agent in agents
        if agent.available
        and (agent.capacity == 0 or agent.open_tickets < agent.capacity)
        and (not agent.categories or (category_id is not None and category_id in agent.categories))
    ]
    if excluded:
        eligible = [agent for agent in eligible if agent.id not in excluded]
    return eligible


def _round_robin(eligible: list[Agent], unlisted: int = 0) -> Decision:
    # The agent whose last ticket lies furthest back: nobody gets a second ticket before
    # every eligible agent got one.
    chosen = min(eligible, key=lambda a: (a.last_assigned, a.name, a.id))
    count = len(eligible) + unlisted
    reason = f"round robin: {chosen.name} waited longest of {count} eligible agents"
    return Decision(chosen.id, reason, ROUND_ROBIN)


_RANK = attrgetter("rank")


def _least_loaded(eligible: list[Agent]) -> list[Agent]:
    """The `MAX_NAMED` least loaded (by load, open tickets, last assignment, name, id),
    least first: the chosen one and the others the reason names."""
    return heapq.nsmallest(MAX_NAMED, eligible, key=_RANK)


def _load_text(ranked: list[Agent], count: int) -> str:
    named = ", ".join(agent.load_text() for agent in ranked[:MAX_NAMED])
    more = count - MAX_NAMED
    return named + (f" and {more} more" if more > 0 else "")


def _load_balanced(eligible: list[Agent], unlisted: int = 0) -> Decision:
    ranked = _least_loaded(eligible)
    text = _load_text(ranked, len(eligible) + unlisted)
    return Decision(ranked[0].id, f"load balanced: {text}", LOAD_BALANCED)


def _skills(ticket: TicketFacts, eligible: list[Agent], everyone: Sequence[Agent]) -> Decision:
    """Required skills (ticket tags that are some agent's skill) are a must; the ticket's
    language and category expertise narrow the choice when someone eligible has them."""
    known_skills = set().union(*(agent.skills for agent in everyone))
    required = sorted(ticket.tags & known_skills)
    notes: list[str] = []
    pool = [agent for agent in eligible if set(required) <= agent.skills]
    if required:
        if not pool:
            needed = ", ".join(required)
            return Decision(None, f"skills: nobody eligible has skill {needed}", SKILLS)
        notes.append(f"skill: {', '.join(required)}")
    if ticket.language:
        speakers = [agent for agent in pool if ticket.language in agent.languages]
        if speakers:
            pool = speakers
            notes.append(f"language: {ticket.language}")
        else:
            notes.append(f"language: nobody eligible speaks {ticket.language}")
    if ticket.category_id:
        experts = [agent for agent in pool if ticket.category_id in agent.categories]
        if experts:
            pool = experts
            notes.append(f"category: {ticket.category_name or ticket.category_id}")
    ranked = _least_loaded(pool)
    reason = "; ".join([f"load balanced: {_load_text(ranked, len(pool))}", *notes])
    return Decision(ranked[0].id, f"skills: {reason}", SKILLS)


def _nobody_reason(ticket: TicketFacts, agents: Sequence[Agent], excluded: set[str]) -> str:
    if not agents:
        return "nobody eligible: no agent takes part in routing"
    why = []
    for agent in sorted(agents, key=lambda a: (a.name, a.id)):
        if agent.id in excluded:
            why.append(f"{agent.name} just gave it back")
        elif not agent.available:
            why.append(f"{agent.name} {agent.unavailable_because or 'unavailable'}")
        elif not agent.has_room:
            why.append(f"{agent.name} at capacity ({agent.open_tickets} of {agent.capacity})")
        elif not agent.works(ticket.category_id):
            category = ticket.category_name or "none"
            why.append(f"{agent.name} does not work category {category}")
    more = len(why) - MAX_NAMED
    text = ", ".join(why[:MAX_NAMED]) + (f" and {more} more" if more > 0 else "")
    return f"nobody eligible: {text}"
