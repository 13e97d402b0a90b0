"""Who can take a ticket right now: the routing pool with each agent's load.

What an agent profile says that changes seldom (skills, languages, categories, working
hours, out of office) is kept in process memory per tenant (`panel1.tenant_cache`: every
save of a profile or of its categories sets a new configuration version), read once per
version with its working-hours calendar parsed. A decision reads, under the routing-state
lock, only what changes between decisions: each active staff member's status, capacity,
name and e-mail and, for the agents who are online, their open tickets and priority-weighted
load from the partial index `ticket_open_load_idx` (one index-only probe per online agent;
offline and away agents are never eligible, so their load is not read) and the sequence
number of their last routed ticket (`RoutingAgentLast`, one row each). One statement
whatever the number of agents or tickets, rows of plain tuples; an agent whose row is what
the previous decision read keeps the `Agent` built then (per version), so a decision builds
anew only the few agents that changed. A round-robin or load-balanced decision reads only
the agents it can choose (`reduced_pool_sql`: about ten rows, or the previous agent's alone).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

from automation.routing.models import RoutingAgentLast
from automation.routing.selection import MAX_NAMED, PRIORITY_FIRST, Agent
from panel1 import tenant_cache
from panel1.accounts.models import STAFF_ROLES, User
from panel1.ids import parse_uuid
from sla import clock
from sla.business_hours import CalendarError
from tickets.availability import absent_at
from tickets.models import AgentLoadDelta, AgentProfile, AgentStatus

ONLINE = AgentStatus.ONLINE.value
NOTHING: frozenset[str] = frozenset()
PROFILES_CACHE_KEY = "routing:profiles:v1"
ALWAYS = (True, "")


@functools.lru_cache(maxsize=512)
def _calendar(config_json: str) -> clock.BusinessCalendar | None:
    try:
        return clock.BusinessCalendar.from_config(json.loads(config_json))
    except CalendarError:
        return None


def working_calendar(working_hours) -> clock.BusinessCalendar | None:
    """The agent's working hours as a calendar; None when they set none (always working)
    or they cannot be read."""
    if not isinstance(working_hours, dict) or not working_hours:
        return None
    return _calendar(json.dumps(working_hours, sort_keys=True))


def availability(
    *, status: str, out_of_office, working_hours, now: dt.datetime, is_active: bool = True
) -> tuple[bool, str]:
    """(available, why not): active, online, not out of office, inside their working hours."""
    if not is_active:
        return False, "deactivated"
    return _available(status, out_of_office, working_calendar(working_hours), now)


def _available(
    status: str, out_of_office, calendar: clock.BusinessCalendar | None, now: dt.datetime
) -> tuple[bool, str]:
    if status != AgentStatus.ONLINE:
        return False, status
    if absent_at(out_of_office, now):
        return False, "out of office"
    if calendar is not None and not clock.is_business_time(calendar, now):
        return False, "outside working hours"
    return True, ""


class Profile(NamedTuple):
    """What an agent's profile says that changes seldom (kept per configuration version)."""

    skills: frozenset[str]
    languages: frozenset[str]
    categories: frozenset[str]
    out_of_office: list | None  # None: no absence recorded
    calendar: clock.BusinessCalendar | None  # None: always working
    # No absence and no working hours: available whenever online (no clock to ask).
    always_available_online: bool = False


@dataclass
class Profiles:
    """The tenant's agent profiles for one configuration version, and the `Agent` last built
    for each (user id -> (the pool row it was built from, agent, whether their availability
    is the same at any time, that availability)); only the router writes `built`, one entry
    at a time, and a reader checks the entry's source before using it."""

    by_user: dict[str, Profile]
    # The agents whose availability depends on the clock (absences, working hours), and the
    # newest profile's id: what the reduced pool read returns whatever their rank.
    timed: tuple[str, ...] = ()
    newest: int = 0
    built: dict[str, tuple[tuple[Any, ...], Agent, bool, tuple[bool, str]]] = field(
        default_factory=dict
    )


@functools.cache
def _profiles_sql() -> str:
    profile = AgentProfile._meta
    through = AgentProfile.categories.through._meta
    profile_column = AgentProfile.categories.field.m2m_column_name()
    category_column = AgentProfile.categories.field.m2m_reverse_name()
    return f"""SELECT p.user_id::text, p.skills, p.languages, p.working_hours, p.out_of_office,
               ARRAY(SELECT c.{category_column}::text FROM {through.db_table} c
                     WHERE c.{profile_column} = p.id), p.id
        FROM {profile.db_table} p"""


def profiles() -> Profiles:
    """Every agent profile's slowly changing part (process memory while the tenant's
    configuration version holds)."""
    return tenant_cache.cached(PROFILES_CACHE_KEY, _profiles_load)


def _profiles_load() -> Profiles:
    with connection.cursor() as cursor:
        cursor.execute(_profiles_sql())
        rows = cursor.fetchall()
    by_user = {}
    newest = 0
    for user_id, skills, languages, working_hours, out_of_office, category_ids, pk in rows:
        newest = max(newest, pk)
        absences = json_column(out_of_office)
        calendar = working_calendar(json_column(working_hours))
        by_user[user_id] = Profile(
            skills=frozenset(skills) if skills else NOTHING,
            languages=frozenset(languages) if languages else NOTHING,
            categories=frozenset(category_ids) if category_ids else NOTHING,
            out_of_office=absences or None,
            calendar=calendar,
            always_available_online=not absences and calendar is None,
        )
    timed = tuple(user_id for user_id, p in by_user.items() if not p.always_available_online)
    return Profiles(by_user=by_user, timed=timed, newest=newest)


@functools.cache
def _pool_from_sql(joined: str = "") -> str:
    """The pool's FROM and WHERE; `joined`: a relation cross joined before the WHERE."""
    profile, user, delta = AgentProfile._meta, User._meta, AgentLoadDelta._meta
    last = RoutingAgentLast._meta
    roles = ", ".join(f"'{role}'" for role in sorted(STAFF_ROLES))
    # Each agent's open tickets and load are the sums of their rows in the load-delta table
    # (kept by a trigger with every ticket write, in the writer's transaction: what this
    # statement's snapshot sees is exactly what counting their tickets would see), read for
    # the online agents only: a few rows per agent, whatever the number of tickets. The
    # status and roles are written into the text (constants of the code, not values): a
    # prepared statement's generic plan is then the plan these values get. The agents' last
    # assignments are read whole into a hash (`OFFSET 0`: not one index probe per agent, the
    # plan the join's estimate of a few agents chose; 0.6 -> 0.55 ms for 200 agents).
    return f"""FROM {profile.db_table} p
        JOIN {user.db_table} u ON u.id = p.user_id
        LEFT JOIN (SELECT agent_id, sequence FROM {last.db_table} OFFSET 0) r
            ON r.agent_id = p.user_id
        LEFT JOIN (
            SELECT d.agent_id, sum(d.tickets) AS n, sum(d.load) AS load
            FROM {delta.db_table} d GROUP BY d.agent_id
        ) l ON l.agent_id = p.user_id AND p.status = '{ONLINE}'
        {f"CROSS JOIN {joined}" if joined else ""}
        WHERE u.is_active AND u.role IN ({roles})"""


# A pool row: user id, name, e-mail, status, capacity, open tickets, load, last assignment.
POOL_COLUMNS = (
    "p.user_id::text AS user_id, u.name, u.email, p.status, p.capacity, "
    "COALESCE(l.n, 0) AS n, COALESCE(l.load, 0) AS load, COALESCE(r.sequence, 0) AS seq"
)
POOL_WIDTH = 8
REDUCED_WIDTH = POOL_WIDTH + 2  # and: eligible by its row, how many are


@functools.cache
def _pool_sql() -> str:
    return f"SELECT {POOL_COLUMNS} {_pool_from_sql()}"


def reduced_pool_sql(*, category: str, previous: str, priority: str, priority_first: bool) -> str:
    """The pool as a decision of `round_robin` or `load_balanced` needs it: not every agent,
    but every agent whose availability depends on the clock (`Profiles.timed`, judged in
    Python) or whose profile is newer than the process's (`Profiles.newest`), the previous
    agent, and of the others those eligible by their row (online, under capacity, working
    the ticket's category, not excluded) only the `MAX_NAMED` first in each order the
    selection uses (load, last assignment, spare capacity: as `selection`'s keys, names in
    code point order); each row says whether it is such an eligible one, and how many there
    are (the rest only count in the reason: `select_agent(unlisted=)`). Ten rows instead of
    one per agent: the rows' reading and the candidates' building were most of a decision's
    Python.

    When the previous agent is eligible by their row and the previous agent modifier
    decides (the ticket does not go by priority first), only their row is read, its count
    null: the pool is not read at all (a requester's next ticket mostly goes back to their
    agent). The caller reads everyone if the selection does not choose them after all.

    `category`, `previous` and `priority`: SQL expressions of the enclosing statement (the
    ticket's category id, previous agent id or NULL, priority); then three parameters, in
    this order: the clock-dependent agents' user ids, the newest profile id, the excluded
    ids."""
    profile, user, delta = AgentProfile._meta, User._meta, AgentLoadDelta._meta
    last = RoutingAgentLast._meta
    through = AgentProfile.categories.through._meta
    profile_column = AgentProfile.categories.field.m2m_column_name()
    category_column = AgentProfile.categories.field.m2m_reverse_name()
    limited = f"SELECT c.{profile_column} FROM {through.db_table} c"
    works = (
        f"(p.id NOT IN ({limited}) OR p.id IN ({limited} WHERE c.{category_column} = q.category))"
    )
    eligible = (
        f"p.status = '{ONLINE}' AND (p.capacity = 0 OR COALESCE(l.n, 0) < p.capacity) "
        "AND p.id <= q.newest AND p.user_id <> ALL(q.listed) "
        f"AND p.user_id <> ALL(q.excluded) AND {works}"
    )
    columns = "user_id, name, email, status, capacity, n, load, seq, eligible"
    key = 'rank_name, user_id COLLATE "C"'
    orders = (
        f"load, n, seq, {key}",
        f"seq, {key}",
        "CASE WHEN capacity = 0 THEN NULL ELSE capacity - n END DESC NULLS FIRST, "
        f"load, seq, {key}",
    )
    first = " UNION ".join(
        f"(SELECT {columns} FROM pool WHERE eligible ORDER BY {order} LIMIT {MAX_NAMED})"
        for order in orders
    )
    roles = ", ".join(f"'{role}'" for role in sorted(STAFF_ROLES))
    by_priority = ", ".join(f"'{name}'" for name in sorted(PRIORITY_FIRST))
    decides = f"q.priority NOT IN ({by_priority})" if priority_first else "true"
    mark = "%s"
    return f"""WITH q AS (SELECT {category}::uuid AS category, {previous}::uuid AS previous,
                     {priority}::text AS priority, {mark}::uuid[] AS listed,
                     {mark}::bigint AS newest, {mark}::uuid[] AS excluded),
        pool AS MATERIALIZED (
            SELECT {POOL_COLUMNS}, p.user_id AS uid, p.id AS profile_id,
                   COALESCE(NULLIF(u.name, ''), u.email) COLLATE "C" AS rank_name,
                   ({eligible}) AS eligible
            {_pool_from_sql("q")}
        ),
        previous AS MATERIALIZED (
            SELECT {POOL_COLUMNS}, true AS eligible
            FROM q JOIN {profile.db_table} p ON p.user_id = (SELECT previous FROM q)
            JOIN {user.db_table} u ON u.id = p.user_id
            LEFT JOIN {last.db_table} r ON r.agent_id = p.user_id
            LEFT JOIN (
                SELECT sum(d.tickets) AS n, sum(d.load) AS load
                FROM {delta.db_table} d WHERE d.agent_id = (SELECT previous FROM q)
            ) l ON true
            WHERE {decides} AND u.is_active AND u.role IN ({roles}) AND {eligible}
        )
        SELECT previous.*, NULL::bigint FROM previous
        UNION ALL
        SELECT chosen.*, (SELECT count(*) FROM pool WHERE eligible) FROM (
            SELECT {columns} FROM pool CROSS JOIN q
            WHERE uid = ANY(q.listed) OR profile_id > q.newest OR uid = q.previous
            UNION {first}
        ) chosen WHERE NOT EXISTS (SELECT FROM previous)"""


def reduced_pool_params(exclude: list[str] | tuple[str, ...] = ()) -> list[Any]:
    """`reduced_pool_sql`'s three parameters, from the process's profiles (an excluded
    value that is no user id excludes nobody: it is left out, not cast)."""
    known = profiles()
    return [list(known.timed), known.newest, [pk for pk in exclude if parse_uuid(pk)]]


def pool_query() -> tuple[str, list[Any]]:
    """The pool statement and its parameters (for a caller that sends it with another)."""
    return _pool_sql(), []


def pool_rows() -> list[tuple[Any, ...]]:
    sql, params = pool_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def candidates(*, now: dt.datetime, rows: list[tuple[Any, ...]] | None = None) -> list[Agent]:
    """Everyone in the routing pool as the selection sees them now (one query, plus the
    profiles after a change of the tenant's configuration); `rows` are the pool statement's
    rows when the caller read them already (`pool_query`)."""
    if rows is None:
        rows = pool_rows()
    known = profiles()
    try:
        return _candidates(known, rows, now)
    except KeyError:  # a profile newer than this scope's configuration version
        return _candidates(_profiles_load(), rows, now)


def _candidates(known: Profiles, rows: list[tuple[Any, ...]], now: dt.datetime) -> list[Agent]:
    # Runs over every agent of the pool for every decision: lookups bound once, no calls
    # but for an agent whose row (with their last assignment) or availability changed. An
    # agent available or not whatever the time (not online, or online without absences and
    # working hours) is what their row says: the row alone is compared, before anything
    # else is looked up.
    by_user, built = known.by_user, known.built
    pool = []
    append = pool.append
    get = built.get
    for row in rows:
        user_id = row[0]
        found = get(user_id)
        if found is not None and found[2] and found[0] == row:
            append(found[1])
            continue
        profile = by_user[user_id]
        status = row[3]
        if status != ONLINE:
            available, timeless = (False, status), True
        elif profile.always_available_online:
            available, timeless = ALWAYS, True
        else:
            available = _available(status, profile.out_of_office, profile.calendar, now)
            timeless = False
        if found is not None and found[0] == row and found[3] == available:
            append(found[1])
            continue
        agent = _agent(row, profile, available)
        built[user_id] = (row, agent, timeless, available)
        append(agent)
    return pool


def _agent(row: tuple[Any, ...], profile: Profile, available: tuple[bool, str]) -> Agent:
    user_id, name, email, _status, capacity, open_tickets, load, last_assigned = row
    return Agent(
        id=user_id,
        name=name or email,
        email=email,
        open_tickets=int(open_tickets),
        load=int(load),
        capacity=capacity,
        skills=profile.skills,
        languages=profile.languages,
        categories=profile.categories,
        available=available[0],
        unavailable_because=available[1],
        last_assigned=int(last_assigned),
    )


def json_column(value):
    """A JSON column as read by a plain cursor: None, decoded already, or text (Django has
    psycopg hand jsonb over as text)."""
    return json.loads(value) if isinstance(value, str) else value
