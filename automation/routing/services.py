"""The router: one decision per transaction, holding the tenant's routing-state lock.

Lock order: the routing state row first, then the ticket row (`SELECT ... FOR UPDATE` on
both). Every routing decision takes them in this order, so two decisions never wait on each
other in a cycle, and because the state row is held until the decision commits, the next
decision reads the open-ticket counts with this one's assignment already in them: capacity
holds and round robin stays fair however many tickets arrive at once.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import DatabaseError, connection, transaction
from django.db.models import (
    Case,
    F,
    IntegerField,
    Value,
    When,
)
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from automation.routing import selection
from automation.routing.models import (
    SINGLETON,
    CategoryRouting,
    RoutingAgentLast,
    RoutingSettings,
    RoutingState,
)
from automation.routing.pool import (
    POOL_WIDTH,
    REDUCED_WIDTH,
    availability,
    candidates,
    pool_query,
    pool_rows,
    reduced_pool_params,
    reduced_pool_sql,
)
from automation.routing.selection import Decision, TicketFacts
from panel1 import tenant_cache
from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.db_prepared import prepared
from panel1.events import bus
from panel1.exceptions import DomainError
from panel1.ids import parse_uuid
from panel1.sentinels import UNSET
from sla.selectors import ticket_sla_next_due
from tickets.models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    AgentProfile,
    Category,
    Status,
    Ticket,
)
from tickets.services import ticket_assign, ticket_routing_note
from tickets.services.routing import (
    CreationRead,
    Recording,
    RoutedAgent,
    agent_load_compact,
    ticket_route_assign,
    ticket_route_note,
)

logger = logging.getLogger(__name__)

WAITING_BATCH = 50  # tickets routed per "agent became available" event
# Every this many decisions the agents' load-delta rows are folded after commit (see
# `_compact_soon`).
COMPACT_EVERY = 100
# The previous agent modifier looks this many of the requester's latest tickets back.
PREVIOUS_LOOKBACK = 25
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
        raise DomainError(
            {
                field: [
                    _("%(value)s is not a strategy; use one of: %(choices)s.")
                    % {"value": repr(value), "choices": choices}
                ]
            }
        )
    return value


def _clean_flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError({field: [_("Must be true or false.")]})
    return value


def _clean_categories(value: Any) -> list[tuple[Category, str]]:
    """[(category, strategy)] from [{category: <Category or id>, strategy}]; each category once."""
    if not isinstance(value, list | tuple):
        raise DomainError({"categories": [_("Expected a list of {category, strategy}.")]})
    cleaned: list[tuple[Category, str]] = []
    for index, item in enumerate(value):
        where = f"Item {index + 1}"
        if not isinstance(item, dict) or set(item) != {"category", "strategy"}:
            raise DomainError(
                {"categories": [_("%(where)s: expected {category, strategy}.") % {"where": where}]}
            )
        category = item["category"]
        if not isinstance(category, Category):
            pk = parse_uuid(category)
            category = Category.objects.filter(pk=pk).first() if pk else None
        if category is None:
            raise DomainError(
                {
                    "categories": [
                        _("%(where)s: %(item)s is no category.")
                        % {"where": where, "item": repr(item["category"])}
                    ]
                }
            )
        strategy = item["strategy"]
        if strategy not in selection.STRATEGIES:
            choices = ", ".join(selection.STRATEGIES)
            raise DomainError(
                {
                    "categories": [
                        _("%(where)s: strategy is one of %(choices)s.")
                        % {"where": where, "choices": choices}
                    ]
                }
            )
        if any(existing.pk == category.pk for existing, _unused in cleaned):
            raise DomainError(
                {
                    "categories": [
                        _("%(where)s: %(category_name)s is listed twice.")
                        % {"where": where, "category_name": category.name}
                    ]
                }
            )
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
            tenant_cache.bump()  # bulk_create sends no post_save
            changes["categories"] = [before, after]
    if changes:
        audit_record(
            actor=actor,
            action="routing.settings_changed",
            target=settings,
            details=changes,
        )
    return settings


# --- availability and load: automation.routing.pool -------------------------------------------


SETTINGS_FIELDS = ("strategy", "previous_agent", "priority_first", "any_category")
SETTINGS_CACHE_KEY = "routing:settings:v1"


@receiver(post_save, sender=RoutingSettings)
@receiver(post_delete, sender=RoutingSettings)
@receiver(post_save, sender=CategoryRouting)
@receiver(post_delete, sender=CategoryRouting)
def _settings_changed(sender, **kwargs) -> None:
    tenant_cache.bump()


@functools.cache
def _settings_sql() -> str:
    settings, category = RoutingSettings._meta.db_table, CategoryRouting._meta.db_table
    return (
        f"SELECT strategy, previous_agent, priority_first, "
        f"EXISTS (SELECT 1 FROM {category}) FROM {settings} WHERE id = %s"
    )


def _settings_row() -> dict[str, Any]:
    """The settings a decision needs and whether any category has its own strategy. It is
    asked after every new ticket, routing on or off, so it is kept in process memory per
    tenant (`panel1.tenant_cache`, a new version on every change of the settings or of a
    category strategy); the defaults are created on a tenant's first decision."""
    return dict(tenant_cache.cached(SETTINGS_CACHE_KEY, _settings_load))


def _settings_load() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(_settings_sql(), [SINGLETON])
        row = cursor.fetchone()
    if row is None:
        found = routing_settings_get()
        row = (found.strategy, found.previous_agent, found.priority_first, False)
    return dict(zip(SETTINGS_FIELDS, row, strict=True))


def _state_lock() -> RoutingState:
    table = RoutingState._meta.db_table
    lock = f"SELECT * FROM {table} WHERE id = %s FOR UPDATE"
    state = next(iter(RoutingState.objects.raw(lock, [SINGLETON])), None)
    if state is None:  # first decision of the tenant; a parallel one may create it too
        RoutingState.objects.bulk_create([RoutingState(pk=SINGLETON)], ignore_conflicts=True)
        state = next(iter(RoutingState.objects.raw(lock, [SINGLETON])))
    return state


@functools.cache
def _state_advance_sql() -> tuple[str, str]:
    """(the agent's row written with the state's sequence + 1, the sequence advanced): two
    parts of one statement (`bus.defer_statement` joins them to the batch's `WITH`, where
    both see the state row as it was before the update)."""
    state, last = RoutingState._meta.db_table, RoutingAgentLast._meta.db_table
    agent = (
        f"INSERT INTO {last} (agent_id, sequence) SELECT %s::uuid, s.sequence + 1 "
        f"FROM {state} s WHERE s.id = %s "
        "ON CONFLICT (agent_id) DO UPDATE SET sequence = EXCLUDED.sequence"
    )
    return agent, f"UPDATE {state} SET sequence = sequence + 1 WHERE id = %s"


def _state_advance(state: RoutingState, agent_id: str, *, with_batch: bool = False) -> None:
    """One more routed ticket, `agent_id`'s: the sequence and their row (the state row stays
    a few bytes; nothing is rewritten but the agent's row). With `with_batch`, written with
    the open `bus.batch()`'s rows (the decision's own batch: the state row is locked already,
    and no other decision's update can join that statement); else one statement of its own."""
    agent, advance = _state_advance_sql()
    if with_batch and bus.defer_statement(agent, [agent_id, state.pk]):
        bus.defer_statement(advance, [state.pk])
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH a AS ({agent}) {advance}", [agent_id, state.pk, state.pk])
    state.sequence += 1
    if state.sequence % COMPACT_EVERY == 0:
        _compact_soon()


def _compact_soon() -> None:
    """Fold the agents' load-delta rows once this decision commits. Every decision sums
    the rows (`pool._pool_sql`), one per ticket write that changed a load since the last
    compaction: with the per-tenant job alone (every 10 minutes) a busy tenant's decisions
    would sum thousands of rows (0.87 ms for the pool of 200 agents with 2,500 rows, 0.48
    with 200). Outside the decision's transaction (a compaction waits for nobody and nobody
    waits for it: see `agent_load_compact`); a failure is logged, not raised at the caller
    whose transaction has committed."""
    schema = connection.schema_name

    def compact() -> None:
        with schema_context(schema):
            agent_load_compact()

    transaction.on_commit(compact, robust=True)


def _previous_agent_sql(requester: str, ticket: str) -> str:
    """The assignee of the requester's latest other assigned ticket among their last
    `PREVIOUS_LOOKBACK`: their tickets newest first, one index probe of
    `ticket_requester_idx` each (`LIMIT 1` below the last one seen), stopping at the first
    assigned one. As one ordered scan the planner priced it by the average requester (a few
    tickets) and took a bitmap of all the requester's tickets, sorted, in the prepared
    statement's generic plan: 1.6 ms for a customer with 1,000 tickets, growing with them;
    the walk costs what it reads (0.07 ms), and at most the lookback (a requester who sent
    300 tickets while routing was off walked 300 of them on the next decision: 5 ms)."""
    table = Ticket._meta.db_table
    newest = (
        f"SELECT p.created_at, p.id, p.assignee_id FROM {table} p "
        f"WHERE p.requester_id = {requester} AND p.id <> {ticket}"
    )
    order = "ORDER BY p.created_at DESC, p.id DESC LIMIT 1"
    return (
        f"(WITH RECURSIVE walk (created_at, id, assignee_id, step) AS ("
        f"(SELECT f.*, 1 FROM ({newest} {order}) f) "
        "UNION ALL (SELECT n.*, w.step + 1 FROM walk w CROSS JOIN LATERAL "
        f"({newest} AND p.created_at <= w.created_at "
        f"AND (p.created_at < w.created_at OR p.id < w.id) {order}) n "
        f"WHERE w.assignee_id IS NULL AND w.step < {PREVIOUS_LOOKBACK})) "
        "SELECT walk.assignee_id FROM walk WHERE walk.assignee_id IS NOT NULL LIMIT 1)"
    )


@functools.cache
def _ticket_columns() -> tuple[str, ...]:
    """The ticket's columns a decision reads (the search vector is not sent)."""
    return tuple(f.attname for f in Ticket._meta.concrete_fields if not f.generated)


@functools.cache
def _ticket_sql(with_previous: bool) -> str:
    ticket, category = Ticket._meta.db_table, Category._meta.db_table
    user, overrides = User._meta.db_table, CategoryRouting._meta.db_table
    state = RoutingState._meta.db_table
    previous = _previous_agent_sql("t.requester_id", "t.id") if with_previous else "NULL::uuid"
    columns = ", ".join(f"t.{connection.ops.quote_name(name)}" for name in _ticket_columns())
    # The state row is locked in the CTE, before the join can yield the ticket row that the
    # outer FOR UPDATE locks: the module's lock order within one statement. No state row
    # (a tenant's first decision): no row, and nothing locked.
    return (
        f"WITH state AS MATERIALIZED (SELECT sequence FROM {state} "
        "WHERE id = %s FOR UPDATE) "
        f"SELECT {columns}, c.name AS category_name, a.email AS assignee_email, "
        f"(SELECT o.strategy FROM {overrides} o WHERE o.category_id = t.category_id) "
        f"AS category_strategy, {previous} AS previous_agent_id, "
        "state.sequence AS state_sequence "
        f"FROM state CROSS JOIN {ticket} t LEFT JOIN {category} c ON c.id = t.category_id "
        f"LEFT JOIN {user} a ON a.id = t.assignee_id WHERE t.id = %s FOR UPDATE OF t"
    )


# `_ticket_sql`'s columns after the ticket's own (named here, not read from the cursor's
# description, which psycopg builds column by column on every read).
_TICKET_EXTRA = (
    "category_name",
    "assignee_email",
    "category_strategy",
    "previous_agent_id",
    "state_sequence",
)


def _ticket_from_row(extra: tuple[str, ...], row: tuple[Any, ...]) -> Ticket:
    """The ticket of `_ticket_sql`'s row, with the row's other columns (`extra`) as
    attributes."""
    count = len(_ticket_columns())
    ticket = Ticket.from_db(connection.alias, _ticket_columns(), row[:count])
    for name, value in zip(extra, row[count:], strict=True):
        setattr(ticket, name, value)
    return ticket


def _pool_part(
    reduced: bool, priority_first: bool, *, category: str, previous: str, priority: str
) -> tuple[str, str]:
    """(the pool's statement for a decision's own statement, as many NULLs as its columns):
    the reduced read for the ticket's `category`, `previous` agent and `priority` (SQL
    expressions of the enclosing statement), else every agent's."""
    if not reduced:
        sql, _params = pool_query()
        return sql, ", ".join(["NULL"] * POOL_WIDTH)
    sql = reduced_pool_sql(
        category=category, previous=previous, priority=priority, priority_first=priority_first
    )
    return sql, ", ".join(["NULL"] * REDUCED_WIDTH)


@functools.cache
def _locked_sql(with_previous: bool, reduced: bool, priority_first: bool = False) -> str:
    """`_ticket_sql` and the pool's rows in one statement: the ticket's row first (with the
    state row's sequence as the statement's snapshot has it, after the ticket's columns and
    extras), then the pool's (after as many nulls; `reduced`: `pool.reduced_pool_sql`'s rows
    for the ticket's category and previous agent); nothing when there is no state row or no
    such ticket."""
    state = RoutingState._meta.db_table
    pool_sql, pool_nulls = _pool_part(
        reduced,
        priority_first,
        category="(SELECT category_id FROM locked)",
        previous="(SELECT previous_agent_id FROM locked)",
        priority="(SELECT priority FROM locked)",
    )
    width = len(_ticket_columns()) + len(_TICKET_EXTRA) + 1
    ticket_nulls = ", ".join(["NULL"] * width)
    return (
        f"WITH locked AS MATERIALIZED ({_ticket_sql(with_previous)}) "
        f"SELECT locked.*, (SELECT v.sequence FROM {state} v WHERE v.id = {SINGLETON}), "
        f"{pool_nulls} FROM locked UNION ALL "
        f"SELECT {ticket_nulls}, pool.* FROM ({pool_sql}) pool WHERE EXISTS (SELECT FROM locked)"
    )


class Pool(NamedTuple):
    """The pool rows a decision read under the locks: every agent's, or (`reduced`) those
    `pool.reduced_pool_sql` returns, with the number of eligible agents not among them, or
    only the previous agent's (`previous_only`: the selection must choose them, or everyone
    is read)."""

    rows: list[tuple[Any, ...]]
    reduced: bool = False
    unlisted: int = 0
    previous_only: bool = False


def _pool_of(rows: list[tuple[Any, ...]], reduced: bool) -> Pool:
    """A `Pool` of the statement's pool rows (`reduced`: each with its eligible flag and
    the number of eligible agents, null for the previous agent's row alone, after the
    pool's columns)."""
    if not reduced:
        return Pool(rows)
    agents = [row[:POOL_WIDTH] for row in rows]
    if rows and rows[0][POOL_WIDTH + 1] is None:
        return Pool(agents, True, 0, previous_only=True)
    count = rows[0][POOL_WIDTH + 1] if rows else 0
    listed = sum(1 for row in rows if row[POOL_WIDTH])
    return Pool(agents, True, count - listed)


def _reducible(strategy: str | None, settings: dict[str, Any]) -> bool:
    """Whether a decision can read the reduced pool: a strategy that ranks by load or last
    assignment (the skills strategy reads every agent's skills), known before the read (no
    category strategy may replace it)."""
    if strategy is None:
        if settings["any_category"]:
            return False
        strategy = settings["strategy"]
    return strategy in (selection.ROUND_ROBIN, selection.LOAD_BALANCED)


def _locked(
    ticket_id,
    *,
    with_previous: bool,
    reduced: bool,
    priority_first: bool = False,
    exclude: tuple[str, ...] = (),
) -> tuple[RoutingState, Ticket | None, Pool | None]:
    """The routing state and the ticket, each under its row lock (in the module's order),
    the ticket with its category's name and own strategy, its assignee's email and (for the
    previous agent modifier) the assignee of the requester's latest other ticket, and the
    routing pool's rows: one prepared statement (this runs for every ticket routed after
    commit). The pool is read with the statement's snapshot, taken before the locks were
    waited for: when a decision committed in between (the locked state row's sequence is
    not the snapshot's), it is read again, whole, under the locks. Decisions are what change
    the load under the state lock (each advances the sequence), so the pool a decision
    chooses from has every earlier decision's assignment in it. The pool is None when it was
    not read under the locks (the tenant's first decision: `candidates` reads it)."""
    pk = parse_uuid(ticket_id)
    if pk is None:
        return _state_lock(), None, None
    params: list[Any] = [SINGLETON, pk]
    if reduced:
        params += reduced_pool_params(exclude)
    with prepared(), connection.cursor() as cursor:
        cursor.execute(_locked_sql(with_previous, reduced, priority_first), params)
        rows = cursor.fetchall()
    width = len(_ticket_columns()) + len(_TICKET_EXTRA)
    row = next((row for row in rows if row[0] is not None), None)
    if row is None:  # no state row yet, or no such ticket
        state = _state_lock()
        sql = _ticket_sql(with_previous)
        ticket = next(iter(Ticket.objects.raw(sql, [SINGLETON, pk])), None)
        return state, ticket, None
    ticket = _ticket_from_row(_TICKET_EXTRA, row[:width])
    state = RoutingState(pk=SINGLETON, sequence=ticket.state_sequence)
    if row[width] != ticket.state_sequence:  # a decision committed after the snapshot
        return state, ticket, Pool(pool_rows())
    return state, ticket, _pool_of([row[width + 1 :] for row in rows if row[0] is None], reduced)


@functools.cache
def _new_ticket_sql(
    with_category: bool, with_previous: bool, reduced: bool, priority_first: bool = False
) -> str:
    overrides = CategoryRouting._meta.db_table
    state = RoutingState._meta.db_table
    category = (
        f"(SELECT o.strategy FROM {overrides} o WHERE o.category_id = k.category)"
        if with_category
        else "NULL"
    )
    walk = _previous_agent_sql("k.requester", "k.ticket")
    previous = f"(SELECT {walk} FROM k)" if with_previous else "NULL::uuid"
    pool_sql, pool_nulls = _pool_part(
        reduced,
        priority_first,
        category="(SELECT category FROM k)",
        previous="(SELECT agent_id FROM prev)",
        priority="(SELECT priority FROM k)",
    )
    # The state row locked without waiting (SKIP LOCKED: a creation holds the ticket counter's
    # row and perhaps a ticket's lock, which a decision holding the routing state may want),
    # with the category strategy, the previous agent and the state's sequence as this
    # statement's snapshot has it; then the pool's rows (the state's 4 columns null). The
    # ticket's category, requester and id are given once, for every part.
    return (
        f"WITH state AS MATERIALIZED (SELECT sequence FROM {state} "
        f"WHERE id = {SINGLETON} FOR UPDATE SKIP LOCKED), "
        "k AS MATERIALIZED (SELECT %s::uuid AS category, %s::uuid AS requester, "
        "%s::uuid AS ticket, %s::text AS priority), "
        f"prev AS MATERIALIZED (SELECT {previous} AS agent_id) "
        f"SELECT {pool_nulls}, s.sequence, {category}, (SELECT agent_id FROM prev), "
        f"(SELECT v.sequence FROM {state} v WHERE v.id = {SINGLETON}) "
        "FROM state s CROSS JOIN k UNION ALL "
        "SELECT pool.*, NULL, NULL, NULL, NULL "
        f"FROM ({pool_sql}) pool WHERE EXISTS (SELECT FROM state)"
    )


def _new_ticket_statement(
    ticket: Ticket,
    *,
    with_category: bool,
    with_previous: bool,
    reduced: bool,
    priority_first: bool = False,
) -> tuple[str, list[Any]]:
    """The statement of `_new_ticket_sql` for `ticket`: the state row without waiting, with
    the category strategy and previous agent, and the pool. Prepared (`rows_together`): its
    planning (~0.5 ms) would be most of its cost, and it runs for every ticket."""
    params: list[Any] = [ticket.category_id, ticket.requester_id, ticket.pk, ticket.priority]
    if reduced:
        params += reduced_pool_params()
    return _new_ticket_sql(with_category, with_previous, reduced, priority_first), params


def _new_ticket_rows(
    rows: list[tuple[Any, ...]], *, reduced: bool
) -> tuple[tuple[Any, ...] | None, Pool]:
    """(the state row with the category strategy and previous agent, the pool) of
    `_new_ticket_statement`'s rows, or (None, an empty pool) when a decision elsewhere holds
    the state (or the tenant has none yet). The pool was read with the statement's
    snapshot, taken before the state row was locked: if a decision committed in between
    (the locked row's sequence is not the snapshot's), it is read again, whole, under the
    lock."""
    width = REDUCED_WIDTH if reduced else POOL_WIDTH
    state = next((row[width:] for row in rows if row[width] is not None), None)
    if state is None:
        return None, Pool([])
    if state[3] != state[0]:  # a decision committed after the snapshot: its load is missing
        return state, Pool(pool_rows())
    return state, _pool_of([row[:width] for row in rows if row[width] is None], reduced)


def _select(
    facts: TicketFacts,
    pool: Pool,
    *,
    now,
    strategy: str,
    previous_agent: bool,
    priority_first: bool,
    exclude: Iterable[str] = (),
) -> tuple[list, Decision]:
    """The candidates and the decision among them. A reduced pool with nobody eligible, or
    the previous agent's row alone when the selection does not choose them by the previous
    agent modifier, is read again whole (under the same locks): to say why nobody is, or to
    choose among everyone."""
    options = {
        "strategy": strategy,
        "previous_agent": previous_agent,
        "priority_first": priority_first,
        "exclude": exclude,
    }
    agents = candidates(now=now, rows=pool.rows)
    decision = selection.select_agent(facts, agents, unlisted=pool.unlisted, **options)
    chose_previous = previous_agent and decision.agent_id == facts.previous_agent_id
    again = (decision.agent_id is None and pool.reduced) or (
        pool.previous_only and not chose_previous
    )
    if again:
        agents = candidates(now=now, rows=pool_rows())
        decision = selection.select_agent(facts, agents, **options)
    return agents, decision


NEW_TICKET_MARK = "automation.routing"


@tenant_cache.scope()
def new_ticket_route(*, ticket: Ticket, actor: Actor | None = None) -> CreationRead | None:
    """Route a new ticket before its row is written (for the creation router,
    `subscribers.new_ticket_router`): answers the read of the decision, which
    `creation_route` sends with the ticket number's statement, and the decision on its rows
    (`_new_ticket_decide`); None when it is not decided here (`ticket_route` decides after
    commit, as for any other ticket).

    The same decision as `ticket_route` without a ticket lock (the row is not written yet)
    and without a transaction of its own: the routing state is locked with `SKIP LOCKED`
    (held until the creation commits; creations queue on the ticket counter row anyway),
    and when a decision elsewhere holds it the ticket is left to the after-commit path (no
    waiting inside a creation, no lock cycle). One decision per batch (a second ticket of the
    batch would read counts without the first's deferred writes, so it is routed after
    commit). Statements: one, sent with the creation's number upsert (the state lock with
    the category strategy, the previous agent and the pool; the pool once more only when a
    decision committed while that statement ran).
    """
    if ticket.assignee_id is not None or ticket.merged_into_id is not None:
        return None
    if ticket.status not in OPEN_STATUSES:
        return None
    settings = _settings_row()
    if settings["strategy"] == selection.MANUAL and not settings["any_category"]:
        return None  # routing off: nothing after commit either (no statement there)
    if bus.batch_open() and not bus.batch_mark(NEW_TICKET_MARK):
        return None
    reduced = _reducible(None, settings)
    sql, params = _new_ticket_statement(
        ticket,
        # Only a tenant with category strategies asks for the ticket's category's own.
        with_category=bool(settings["any_category"] and ticket.category_id),
        with_previous=settings["previous_agent"],
        reduced=reduced,
        priority_first=settings["priority_first"],
    )
    decide = functools.partial(
        _new_ticket_decide, ticket, actor or routing_actor(), settings, reduced=reduced
    )
    return CreationRead(sql, params, decide)


def _new_ticket_decide(
    ticket: Ticket,
    actor: Actor,
    settings: dict[str, Any],
    rows: list[tuple[Any, ...]],
    *,
    reduced: bool,
) -> Recording | None:
    """`new_ticket_route`'s decision on the rows of its read: sets the assignee and routing
    reason on the unsaved ticket, so the row goes in with them, and answers the recording
    of the decision (history row, `ticket.assigned` and the state update, in the creation's
    batch) to run once `ticket.created` is emitted; None when a decision elsewhere holds the
    state (the after-commit path decides)."""
    row, pool = _new_ticket_rows(rows, reduced=reduced)
    if row is None:  # a decision elsewhere holds the state (or the tenant has none yet)
        return None
    sequence, category_strategy, previous_agent_id, _seen = row
    state = RoutingState(pk=SINGLETON, sequence=sequence)
    strategy = category_strategy or settings["strategy"]
    if strategy == selection.MANUAL:
        return _decided
    category = ticket.category if ticket.category_id else None
    facts = TicketFacts(
        priority=ticket.priority,
        category_id=str(ticket.category_id) if ticket.category_id else None,
        category_name=category.name if category is not None else "",
        language=ticket.language,
        tags=frozenset(ticket.tags or ()),
        previous_agent_id=str(previous_agent_id) if previous_agent_id else None,
    )
    try:
        agents, decision = _select(
            facts,
            pool,
            now=timezone.now(),
            strategy=strategy,
            previous_agent=settings["previous_agent"],
            priority_first=settings["priority_first"],
        )
    except DatabaseError:  # the transaction is broken: the creation fails with it
        raise
    except Exception:  # never fail the creation: the after-commit path runs isolated
        logger.exception("routing: new ticket %s left to the after-commit path", ticket.pk)
        return None
    if decision.agent_id is None:
        ticket.routing_reason = decision.reason

        def record_nobody(created: bus.Event) -> None:
            _decided(created)
            ticket_route_note(ticket=ticket, actor=actor, reason=decision.reason, written=True)

        return record_nobody
    chosen = _chosen(agents, decision)
    ticket.assignee_id, ticket.routing_reason = chosen.id, decision.reason

    def record_assignment(created: bus.Event) -> None:
        _decided(created)
        with bus.batch():
            ticket_route_assign(
                ticket=ticket,
                actor=actor,
                assignee=chosen,
                reason=decision.reason,
                before_email=None,
                written=True,
            )
            _state_advance(state, decision.agent_id, with_batch=True)

    return record_assignment


ROUTED_AT_CREATION = "_routed_at_creation"  # on the created ticket: the event it was routed in


def _decided(created: bus.Event) -> None:
    """Mark the created ticket as routed with `created` (the after-commit path skips it)."""
    if created.subject is not None:
        setattr(created.subject, ROUTED_AT_CREATION, created.id)


def routed_at_creation(event: bus.Event) -> bool:
    return getattr(event.subject, ROUTED_AT_CREATION, None) == event.id


def _chosen(pool: list, decision: Decision) -> RoutedAgent:
    """The decision's agent (one of `pool`) as the ticket services take them."""
    chosen = next(agent for agent in pool if agent.id == decision.agent_id)
    return RoutedAgent(
        id=uuid.UUID(chosen.id),
        email=chosen.email,
        category_ids=frozenset(uuid.UUID(pk) for pk in chosen.categories),
    )


def _assign_chosen(
    ticket: Ticket, actor: Actor, pool: list, decision: Decision, *, before_email: str | None
) -> None:
    """Assign the decision's agent (one of `pool`) with the decision's reason."""
    ticket_route_assign(
        ticket=ticket,
        actor=actor,
        assignee=_chosen(pool, decision),
        reason=decision.reason,
        before_email=before_email,
    )


def _facts(ticket: Ticket) -> TicketFacts:
    previous = ticket.previous_agent_id
    return TicketFacts(
        priority=ticket.priority,
        category_id=str(ticket.category_id) if ticket.category_id else None,
        category_name=ticket.category_name or "",
        language=ticket.language,
        tags=frozenset(ticket.tags or ()),
        previous_agent_id=str(previous) if previous else None,
    )


@tenant_cache.scope()  # the configuration version read once (settings, profiles)
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

    Statements of an assignment: the settings (cached), the state and ticket locks (one
    statement, with the category strategy and previous agent), the pool with its load, then
    the ticket update, its history row, its event row and the state update in one statement;
    none grows with agents or tickets.
    """
    settings = _settings_row()
    routing_off = settings["strategy"] == selection.MANUAL and not settings["any_category"]
    if routing_off and strategy is None and not record_manual:
        return None  # the common case of a tenant without routing: no lock, no note
    if strategy is not None:
        strategy = _clean_strategy(strategy, "strategy")
    exclude = tuple(str(pk) for pk in exclude)
    state, ticket, pool = _locked(
        ticket_id,
        with_previous=settings["previous_agent"],
        reduced=_reducible(strategy, settings),
        priority_first=settings["priority_first"],
        exclude=exclude,
    )
    if ticket is None or ticket.status not in OPEN_STATUSES or ticket.merged_into_id:
        return None
    if ticket.assignee_id is not None and not force:
        return None
    strategy = strategy or ticket.category_strategy or settings["strategy"]
    if strategy == selection.MANUAL and not record_manual:
        # Routing is off here: no note on every new ticket of a tenant that routes by hand.
        return None
    agents, decision = _select(
        _facts(ticket),
        pool or Pool(pool_rows()),
        now=timezone.now(),
        strategy=strategy,
        previous_agent=settings["previous_agent"],
        priority_first=settings["priority_first"],
        exclude=exclude,
    )
    actor = actor or routing_actor()
    if decision.agent_id is None:
        ticket_routing_note(ticket=ticket, actor=actor, reason=decision.reason)
        return decision
    # The assignment (ticket update, history and event rows) and the state update go in with
    # one statement, in a batch of this decision's own (one joined from outside could hold
    # another decision's state update).
    own_batch = not bus.batch_open()
    if not own_batch:  # its ticket update waits for the batch: no new ticket routed in it
        bus.batch_mark(NEW_TICKET_MARK)
    with bus.batch():
        if decision.agent_id != str(ticket.assignee_id):
            _assign_chosen(ticket, actor, agents, decision, before_email=ticket.assignee_email)
        _state_advance(state, decision.agent_id, with_batch=own_batch)
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
