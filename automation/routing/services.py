"""The router: one decision per transaction, holding the tenant's routing-state lock.

Lock order: the routing state row first, then the ticket row (`SELECT ... FOR UPDATE` on
both). Every routing decision takes them in this order, so two decisions never wait on each
other in a cycle, and because the state row is held until the decision commits, the next
decision reads the open-ticket counts with this one's assignment already in them: capacity
holds and round robin stays fair however many tickets arrive at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from automation.routing import selection
from automation.routing.models import SINGLETON, CategoryRouting, RoutingSettings, RoutingState
from automation.routing.selection import Agent, Decision, TicketFacts
from panel1.accounts.models import STAFF_ROLES, User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.exceptions import DomainError
from panel1.ids import parse_uuid
from panel1.sentinels import UNSET
from sla import clock
from sla.business_hours import CalendarError
from sla.selectors import ticket_sla_next_due
from tickets.availability import absent_at
from tickets.models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    AgentProfile,
    AgentStatus,
    Category,
    Status,
    Ticket,
)
from tickets.services import ticket_assign, ticket_routing_note

logger = logging.getLogger(__name__)

WAITING_BATCH = 50  # tickets routed per "agent became available" event
RETURN_BATCH = 200  # untouched tickets given back per "agent went offline" event
ROUTING_LABEL = "automation: routing"


def routing_actor(chain: Iterable[str] = ()) -> Actor:
    """Routing acts as `automation:routing` in events and history."""
    return Actor(label=ROUTING_LABEL, chain=tuple(chain))


# --- settings -------------------------------------------------------------------------------


def routing_settings_get() -> RoutingSettings:
    """The tenant's routing settings (created with the defaults, `manual`, on first read)."""
    found = RoutingSettings.objects.filter(pk=SINGLETON).first()
    if found is None:
        RoutingSettings.objects.bulk_create([RoutingSettings(pk=SINGLETON)], ignore_conflicts=True)
        found = RoutingSettings.objects.get(pk=SINGLETON)
    return found


def _clean_strategy(value: Any, field: str) -> str:
    if value not in selection.STRATEGIES:
        choices = ", ".join(selection.STRATEGIES)
        raise DomainError({field: [f"{value!r} is not a strategy; use one of: {choices}."]})
    return value


def _clean_flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError({field: ["Must be true or false."]})
    return value


def _clean_categories(value: Any) -> list[tuple[Category, str]]:
    """[(category, strategy)] from [{category: <Category or id>, strategy}]; each category once."""
    if not isinstance(value, list | tuple):
        raise DomainError({"categories": ["Expected a list of {category, strategy}."]})
    cleaned: list[tuple[Category, str]] = []
    for index, item in enumerate(value):
        where = f"Item {index + 1}"
        if not isinstance(item, dict) or set(item) != {"category", "strategy"}:
            raise DomainError({"categories": [f"{where}: expected {{category, strategy}}."]})
        category = item["category"]
        if not isinstance(category, Category):
            pk = parse_uuid(category)
            category = Category.objects.filter(pk=pk).first() if pk else None
        if category is None:
            raise DomainError({"categories": [f"{where}: {item['category']!r} is no category."]})
        strategy = item["strategy"]
        if strategy not in selection.STRATEGIES:
            choices = ", ".join(selection.STRATEGIES)
            raise DomainError({"categories": [f"{where}: strategy is one of {choices}."]})
        if any(existing.pk == category.pk for existing, _ in cleaned):
            raise DomainError({"categories": [f"{where}: {category.name} is listed twice."]})
        cleaned.append((category, strategy))
    return cleaned


def category_strategies(settings: RoutingSettings) -> list[dict[str, Any]]:
    return [
        {"category": row.category_id, "strategy": row.strategy}
        for row in settings.category_strategies.order_by("category__name")
    ]


@transaction.atomic
def routing_settings_update(
    *,
    actor: User | Actor | None,
    strategy: str = UNSET,
    previous_agent: bool = UNSET,
    priority_first: bool = UNSET,
    reroute_when_offline: bool = UNSET,
    categories: list[dict[str, Any]] = UNSET,
) -> RoutingSettings:
    """Change the tenant's routing settings; `categories` replaces every category strategy.
    Audited as `routing.settings_changed` with what changed."""
    settings = routing_settings_get()
    settings = RoutingSettings.objects.select_for_update().get(pk=settings.pk)
    wanted: dict[str, Any] = {}
    if strategy is not UNSET:
        wanted["strategy"] = _clean_strategy(strategy, "strategy")
    for name, value in (
        ("previous_agent", previous_agent),
        ("priority_first", priority_first),
        ("reroute_when_offline", reroute_when_offline),
    ):
        if value is not UNSET:
            wanted[name] = _clean_flag(value, name)
    changes = {}
    for name, value in wanted.items():
        if getattr(settings, name) != value:
            changes[name] = [getattr(settings, name), value]
            setattr(settings, name, value)
    if changes:
        settings.save(update_fields=[*changes, "updated_at"])
    if categories is not UNSET:
        cleaned = _clean_categories(categories)
        before = category_strategies(settings)
        after = [{"category": c.pk, "strategy": s} for c, s in cleaned]
        key = sorted((str(row["category"]), row["strategy"]) for row in before)
        if key != sorted((str(row["category"]), row["strategy"]) for row in after):
            CategoryRouting.objects.filter(settings=settings).delete()
            CategoryRouting.objects.bulk_create(
                CategoryRouting(settings=settings, category=c, strategy=s) for c, s in cleaned
            )
            changes["categories"] = [before, after]
    if changes:
        audit_record(
            actor=actor,
            action="routing.settings_changed",
            target=settings,
            details=changes,
        )
    return settings


def strategy_for(settings: RoutingSettings, category_id) -> str:
    """The category's own strategy, else the tenant's."""
    if category_id is not None:
        override = (
            CategoryRouting.objects.filter(category_id=category_id)
            .values_list("strategy", flat=True)
            .first()
        )
        if override:
            return override
    return settings.strategy


# --- availability and load ------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _calendar(config_json: str) -> clock.BusinessCalendar | None:
    try:
        return clock.BusinessCalendar.from_config(json.loads(config_json))
    except CalendarError:
        return None


def availability(
    *, status: str, out_of_office, working_hours, now: dt.datetime, is_active: bool = True
) -> tuple[bool, str]:
    """(available, why not): active, online, not out of office, inside their working hours."""
    if not is_active:
        return False, "deactivated"
    if status != AgentStatus.ONLINE:
        return False, status
    if absent_at(out_of_office, now):
        return False, "out of office"
    if working_hours:
        calendar = _calendar(json.dumps(working_hours, sort_keys=True))
        if calendar is not None and not clock.is_business_time(calendar, now):
            return False, "outside working hours"
    return True, ""


def _weight_expression():
    return Sum(
        Case(
            *[When(priority=p, then=Value(w)) for p, w in selection.PRIORITY_WEIGHT.items()],
            default=Value(1),
            output_field=IntegerField(),
        )
    )


POOL_FIELDS = (
    "user_id",
    "user__name",
    "user__email",
    "status",
    "capacity",
    "skills",
    "languages",
    "working_hours",
    "out_of_office",
    "category_ids",
)


def routing_pool() -> list[dict[str, Any]]:
    """Profiles of active staff as plain rows (one query, categories aggregated; no model
    instances: this runs on every decision, for every agent)."""
    return list(
        AgentProfile.objects.filter(user__is_active=True, user__role__in=STAFF_ROLES)
        .annotate(
            category_ids=ArrayAgg("categories__id", filter=Q(categories__isnull=False), default=[])
        )
        .values(*POOL_FIELDS)
    )


def agent_loads(user_ids: Iterable) -> dict[str, tuple[int, int]]:
    """{user id: (open tickets, priority-weighted load)} in one grouped query."""
    rows = (
        Ticket.objects.filter(assignee_id__in=list(user_ids), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("*"), load=_weight_expression())
    )
    return {str(row["assignee_id"]): (row["n"], row["load"] or 0) for row in rows}


def candidates(*, now: dt.datetime, last_assigned: dict[str, int]) -> list[Agent]:
    """Everyone in the routing pool as the selection sees them now (two queries)."""
    rows = routing_pool()
    loads = agent_loads(row["user_id"] for row in rows)
    agents = []
    for row in rows:
        user_id = str(row["user_id"])
        available, because = availability(
            status=row["status"],
            out_of_office=row["out_of_office"],
            working_hours=row["working_hours"],
            now=now,
        )
        open_tickets, load = loads.get(user_id, (0, 0))
        agents.append(
            Agent(
                id=user_id,
                name=row["user__name"] or row["user__email"],
                open_tickets=open_tickets,
                load=load,
                capacity=row["capacity"],
                skills=frozenset(row["skills"] or ()),
                languages=frozenset(row["languages"] or ()),
                categories=frozenset(str(pk) for pk in row["category_ids"]),
                available=available,
                unavailable_because=because,
                last_assigned=int(last_assigned.get(user_id, 0)),
            )
        )
    return agents


def _previous_agent_id(ticket: Ticket) -> str | None:
    """The assignee of the requester's latest other ticket (index on requester, -created)."""
    found = (
        Ticket.objects.filter(requester_id=ticket.requester_id, assignee__isnull=False)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")
        .values_list("assignee_id", flat=True)
        .first()
    )
    return str(found) if found else None


# --- deciding ---------------------------------------------------------------------------------


def _state_lock() -> RoutingState:
    state = RoutingState.objects.select_for_update().filter(pk=SINGLETON).first()
    if state is None:  # first decision of the tenant; a parallel one may create it too
        RoutingState.objects.bulk_create([RoutingState(pk=SINGLETON)], ignore_conflicts=True)
        state = RoutingState.objects.select_for_update().get(pk=SINGLETON)
    return state


def _facts(ticket: Ticket, *, with_previous: bool) -> TicketFacts:
    return TicketFacts(
        priority=ticket.priority,
        category_id=str(ticket.category_id) if ticket.category_id else None,
        category_name=ticket.category.name if ticket.category_id else "",
        language=ticket.language,
        tags=frozenset(ticket.tags or ()),
        previous_agent_id=_previous_agent_id(ticket) if with_previous else None,
    )


@transaction.atomic(savepoint=False)  # one decision, no savepoint round trips of its own
def ticket_route(
    *,
    ticket_id,
    actor: Actor | None = None,
    strategy: str | None = None,
    force: bool = False,
    exclude: Iterable[str] = (),
    record_manual: bool = False,
) -> Decision | None:
    """Route one ticket: choose an agent and assign, or record why nobody was chosen.

    Holds the routing-state lock, then the ticket's (see the module docstring). Does nothing
    (None) for a ticket that is closed, merged, gone, or assigned (unless `force`: then an
    assigned ticket is routed again; the current assignee may be chosen again), and under
    the `manual` strategy unless `record_manual` (then the reason is recorded). Writes the
    reason to the history and to `ticket.routing_reason`; emits `ticket.assigned` on a change.
    """
    settings = routing_settings_get()
    routing_off = settings.strategy == selection.MANUAL and not CategoryRouting.objects.exists()
    if routing_off and strategy is None and not record_manual:
        return None  # the common case of a tenant without routing: no lock, no note
    state = _state_lock()
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.status not in OPEN_STATUSES or ticket.merged_into_id:
        return None
    if ticket.assignee_id is not None and not force:
        return None
    if strategy is not None:
        strategy = _clean_strategy(strategy, "strategy")
    strategy = strategy or strategy_for(settings, ticket.category_id)
    if strategy == selection.MANUAL and not record_manual:
        # Routing is off here: no note on every new ticket of a tenant that routes by hand.
        return None
    pool = candidates(now=timezone.now(), last_assigned=state.last_assigned)
    decision = selection.select_agent(
        _facts(ticket, with_previous=settings.previous_agent),
        pool,
        strategy=strategy,
        previous_agent=settings.previous_agent,
        priority_first=settings.priority_first,
        exclude=[str(pk) for pk in exclude],
    )
    actor = actor or routing_actor()
    if decision.agent_id is None:
        ticket_routing_note(ticket=ticket, actor=actor, reason=decision.reason)
        return decision
    if decision.agent_id != str(ticket.assignee_id):
        chosen = next(agent for agent in pool if agent.id == decision.agent_id)
        agent = User.objects.get(pk=decision.agent_id)
        # The category limit `ticket_assign` checks was read with the pool (the tickets app
        # caches it on the user object under this name).
        agent._agent_category_ids = [uuid.UUID(pk) for pk in sorted(chosen.categories)]
        ticket_assign(ticket=ticket, actor=actor, assignee=agent, routing_reason=decision.reason)
    state.sequence += 1
    state.last_assigned = {**state.last_assigned, decision.agent_id: state.sequence}
    state.save(update_fields=["sequence", "last_assigned"])
    return decision


def waiting_tickets(*, priority_first: bool = False):
    """Unassigned open tickets in routing order: nearest SLA due time, then priority
    (with `priority_first`, URGENT and HIGH ahead of everything), then age."""
    rank = Case(
        *[When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()],
        output_field=IntegerField(),
    )
    order = [F("next_due").asc(nulls_last=True), F("rank").desc(), "created_at"]
    if priority_first:
        order.insert(0, F("urgent").desc())
    return (
        Ticket.objects.filter(
            assignee__isnull=True, status__in=OPEN_STATUSES, merged_into__isnull=True
        )
        .annotate(
            next_due=ticket_sla_next_due(),
            rank=rank,
            urgent=Case(
                When(priority__in=sorted(selection.PRIORITY_FIRST), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by(*order)
    )


def waiting_tickets_route(*, actor: Actor | None = None, limit: int = WAITING_BATCH) -> int:
    """Route up to `limit` waiting tickets in routing order; answer how many got an agent."""
    settings = routing_settings_get()
    if settings.strategy == selection.MANUAL and not CategoryRouting.objects.exists():
        return 0
    ids = list(
        waiting_tickets(priority_first=settings.priority_first).values_list("pk", flat=True)[:limit]
    )
    routed = 0
    for ticket_id in ids:
        try:
            with transaction.atomic():  # one ticket that fails does not stop the others
                decision = ticket_route(ticket_id=ticket_id, actor=actor)
        except DomainError:
            logger.warning("routing: waiting ticket %s could not be routed", ticket_id)
            continue
        routed += bool(decision and decision.assigned)
    return routed


def untouched_tickets_return(
    *, agent: User, actor: Actor | None = None, limit: int = RETURN_BATCH
) -> int:
    """Give the agent's untouched open tickets (OPEN, no staff reply yet) back to routing;
    each is routed at once to someone else or waits unassigned with the reason."""
    actor = actor or routing_actor()
    ids = list(
        Ticket.objects.filter(
            assignee=agent,
            status=Status.OPEN,
            first_responded_at__isnull=True,
            last_staff_message_at__isnull=True,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    status = getattr(getattr(agent, "agent_profile", None), "status", "unavailable")
    for ticket_id in ids:
        with transaction.atomic():
            _state_lock()
            ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            if ticket is None or ticket.assignee_id != agent.pk:
                continue
            reason = f"returned to routing: {agent.get_full_name()} went {status}"
            ticket_assign(ticket=ticket, actor=actor, assignee=None, routing_reason=reason)
            ticket_route(ticket_id=ticket_id, actor=actor, exclude=[str(agent.pk)])
    return len(ids)


def agent_is_available(user_id) -> bool:
    profile = AgentProfile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None:
        return False
    available, _because = availability(
        status=profile.status,
        out_of_office=profile.out_of_office,
        working_hours=profile.working_hours,
        now=timezone.now(),
        is_active=profile.user.is_active,
    )
    return available
