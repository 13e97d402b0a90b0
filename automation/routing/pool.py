"""Who can take a ticket right now: the routing pool with each agent's load, in one query.

A decision reads every active staff profile with its categories and, for the agents who are
online, their open tickets and priority-weighted load from the partial index
`ticket_open_load_idx` (one index-only probe per online agent; offline and away agents are
never eligible, so their load is not read). One statement whatever the number of agents or
tickets; rows are plain tuples (no model instances, no ORM compilation on every decision).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from django.db import connection

from automation.routing import selection
from automation.routing.selection import Agent
from panel1.accounts.models import STAFF_ROLES, User
from sla import clock
from sla.business_hours import CalendarError
from tickets.availability import absent_at
from tickets.models import OPEN_STATUSES, AgentProfile, AgentStatus, Ticket

ONLINE = AgentStatus.ONLINE.value
NOTHING: frozenset[str] = frozenset()


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


@functools.cache
def _pool_sql() -> str:
    profile, user, ticket = AgentProfile._meta, User._meta, Ticket._meta
    through = AgentProfile.categories.through._meta
    profile_column = AgentProfile.categories.field.m2m_column_name()
    category_column = AgentProfile.categories.field.m2m_reverse_name()
    weight = " ".join(
        f"WHEN '{priority}' THEN {value}" for priority, value in selection.PRIORITY_WEIGHT.items()
    )
    return f"""SELECT p.user_id, u.name, u.email, p.status, p.capacity, p.skills, p.languages,
               CASE WHEN p.status = %s AND jsonb_typeof(p.working_hours) = 'object'
                    AND p.working_hours <> '{{}}'::jsonb THEN p.working_hours END,
               CASE WHEN p.status = %s AND p.out_of_office <> '[]'::jsonb
                    THEN p.out_of_office END,
               ARRAY(SELECT c.{category_column} FROM {through.db_table} c
                     WHERE c.{profile_column} = p.id),
               COALESCE(l.n, 0), COALESCE(l.load, 0)
        FROM {profile.db_table} p
        JOIN {user.db_table} u ON u.id = p.user_id
        LEFT JOIN LATERAL (
            SELECT count(*) AS n, sum(CASE t.priority {weight} ELSE 1 END) AS load
            FROM {ticket.db_table} t
            WHERE t.assignee_id = p.user_id AND t.status = ANY(%s) AND p.status = %s
        ) l ON true
        WHERE u.is_active AND u.role = ANY(%s)
    """


def candidates(*, now: dt.datetime, last_assigned: dict[str, int]) -> list[Agent]:
    """Everyone in the routing pool as the selection sees them now (one query). Working
    hours and absences are read for online agents only (nobody else can be available)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _pool_sql(), [ONLINE, ONLINE, list(OPEN_STATUSES), ONLINE, list(STAFF_ROLES)]
        )
        rows = cursor.fetchall()
    return [_agent(row, now=now, last_assigned=last_assigned) for row in rows]


def _agent(row: tuple[Any, ...], *, now: dt.datetime, last_assigned: dict[str, int]) -> Agent:
    (
        user_id,
        name,
        email,
        status,
        capacity,
        skills,
        languages,
        working_hours,
        out_of_office,
        category_ids,
        open_tickets,
        load,
    ) = row
    user_id = str(user_id)
    available, because = availability(
        status=status,
        out_of_office=json_column(out_of_office),
        working_hours=json_column(working_hours),
        now=now,
    )
    return Agent(
        id=user_id,
        name=name or email,
        email=email,
        open_tickets=int(open_tickets),
        load=int(load),
        capacity=capacity,
        skills=frozenset(skills) if skills else NOTHING,
        languages=frozenset(languages) if languages else NOTHING,
        categories=frozenset(str(pk) for pk in category_ids) if category_ids else NOTHING,
        available=available,
        unavailable_because=because,
        last_assigned=int(last_assigned.get(user_id, 0)),
    )


def json_column(value):
    """A JSON column as read by a plain cursor: None, decoded already, or text (Django has
    psycopg hand jsonb over as text)."""
    return json.loads(value) if isinstance(value, str) else value
