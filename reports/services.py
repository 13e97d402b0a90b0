"""The analytics job: keep the report facts and per-day rollups in step with the tickets.

Idempotent by construction: facts are recomputed from the source rows and upserted, and every
affected day is rebuilt whole (delete + insert from the facts) in one transaction, so a rerun
or a second worker changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from reports.facts import Calendars, among, facts_compute
from reports.histograms import SPANS, blocks_backfill_next, blocks_rebuild, summaries_rebuild
from reports.models import (
    AgentDay,
    DailyRollup,
    DayHistogram,
    DaySummary,
    HistogramBlock,
    RollupState,
    SummaryBlock,
    TicketFact,
)
from sla.models import TicketSLA
from tickets.models import Message, SatisfactionRating, Ticket

BATCH = 2000
# Days of day summaries filled per pass for tenants from before them (~2 s per 60 days at a
# million tickets).
SUMMARY_DAYS = 60
# Four-week blocks of day summaries built per pass for tenants from before the blocks (a year).
BLOCKS_PER_PASS = 13
# Rows committed by transactions that were running when the last pass started carry an
# updated_at before its watermark; looking back a little catches them (recomputing is free
# of side effects, so an overlap only costs time).
OVERLAP = dt.timedelta(minutes=5)
FACT_FIELDS = [f.name for f in TicketFact._meta.concrete_fields if f.name != "ticket"]


def tenant_zone() -> ZoneInfo:
    """The tenant's time zone (report days are local days)."""
    from panel1.tenants.models import Tenant

    name = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("default_timezone", flat=True)
        .first()
    )
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _changed_ticket_ids(since: dt.datetime) -> list:
    """Tickets whose ticket, SLA or rating row changed at or after `since`."""
    ids = set(Ticket.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids.update(TicketSLA.objects.filter(updated_at__gte=since).values_list("ticket_id", flat=True))
    # An edited SLA profile re-derives its open tickets (without touching their rows' stamps)
    # and changes their business minutes; resolved and closed tickets keep their figures.
    edited = TicketSLA.objects.filter(
        profile__updated_at__gte=since, is_closed=False, resolved_at__isnull=True
    )
    ids.update(edited.values_list("ticket_id", flat=True))
    ids.update(
        SatisfactionRating.objects.filter(updated_at__gte=since).values_list("ticket_id", flat=True)
    )
    return sorted(ids)


def _state() -> RollupState:
    state, _ = RollupState.objects.select_for_update().get_or_create(pk=1)
    return state


@transaction.atomic
def reports_refresh(
    *,
    actor=None,
    full: bool = False,
    now: dt.datetime | None = None,
    budget_seconds: float | None = None,
) -> int:
    """Bring the facts and rollups up to date; answer how many tickets were recomputed.

    Two kinds of work: every ticket changed since the last pass (always done whole), and the
    backfill, which walks all tickets in id order (a new tenant, a time-zone change, `full`)
    and stops, after at least one batch, when `budget_seconds` are used up, to go on from its
    cursor next time: one pass stays within the job timeout at any size. Holds the
    RollupState row lock for the pass, so two workers never interleave.
    """
    started = time.monotonic()
    now = now or timezone.now()
    state, zone = _state(), tenant_zone()
    if full or state.timezone != zone.key:
        _backfill_restart(state, zone)
    since = state.watermark - OVERLAP if state.watermark else None
    ids = _changed_ticket_ids(since) if since else []
    work = _Pass(zone=zone, now=now)
    work.refresh(ids, message_since=since)
    deadline = None if budget_seconds is None else started + budget_seconds
    # At least one batch per pass, so the backfill always moves on.
    while state.backfill_pending:
        batch = _backfill_batch(state.backfill_cursor)
        if not batch:
            state.backfill_pending, state.backfill_cursor = False, None
            break
        work.refresh(batch, message_since=None)
        state.backfill_cursor = batch[-1]
        if deadline is not None and time.monotonic() >= deadline:
            break
    work.finish(state)
    state.watermark = state.last_run_at = now
    state.last_run_ms = int((time.monotonic() - started) * 1000)
    state.last_run_tickets = work.count
    state.save()
    return work.count


def _backfill_restart(state: RollupState, zone: ZoneInfo) -> None:
    """Recompute every ticket from the start; the day rollups refill as the backfill goes
    (days moved with the time zone, so the old ones cannot be patched)."""
    if state.timezone != zone.key:
        for model in (
            DailyRollup,
            AgentDay,
            DaySummary,
            DayHistogram,
            SummaryBlock,
            HistogramBlock,
        ):
            model.objects.all().delete()
        state.summaries_ready, state.summaries_cursor = False, None
    state.timezone = zone.key
    state.backfill_pending, state.backfill_cursor = True, None


def _backfill_batch(after) -> list:
    tickets = Ticket.objects.order_by("pk")
    if after is not None:
        tickets = tickets.filter(pk__gt=after)
    return list(tickets.values_list("pk", flat=True)[:BATCH])


class _Pass:
    """One pass's work: facts in batches, then each touched day rebuilt once."""

    def __init__(self, *, zone: ZoneInfo, now: dt.datetime) -> None:
        self.zone, self.now = zone, now
        self.calendars = Calendars()
        self.days: set[dt.date] = set()
        self.message_days: set[dt.date] = set()
        self.count = 0

    def refresh(self, ids: list, *, message_since: dt.datetime | None) -> None:
        for offset in range(0, len(ids), BATCH):
            batch = ids[offset : offset + BATCH]
            self.days |= _refresh_batch(batch, self.zone, self.calendars, self.now)
            self.message_days |= _message_days(batch, message_since, self.zone)
            self.count += len(batch)

    def finish(self, state: RollupState) -> None:
        if not state.summaries_ready:
            self.days |= _summary_backfill(state)
        rollup_days_rebuild(days=self.days, zone=self.zone)
        agent_days_rebuild(days=self.message_days, zone=self.zone)
        if not state.blocks_ready:
            _blocks_backfill(state)


def _blocks_backfill(state: RollupState) -> None:
    """Build the next BLOCKS_PER_PASS blocks of the day summaries (in date order) that predate
    the blocks; every later day rebuild rebuilds its blocks too, so once the walk is through,
    the blocks are complete and the reports read them."""
    starts = blocks_backfill_next(state.blocks_cursor, BLOCKS_PER_PASS)
    top = SPANS[-1]
    blocks_rebuild(days={start + dt.timedelta(days=n) for start in starts for n in range(top)})
    if len(starts) < BLOCKS_PER_PASS:
        state.blocks_ready, state.blocks_cursor = True, None
    else:
        state.blocks_cursor = starts[-1]


def _summary_backfill(state: RollupState) -> set[dt.date]:
    """The next SUMMARY_DAYS days with facts whose summaries predate them (then ready)."""
    days: set[dt.date] = set()
    for column in ("created_on", "resolved_on", "rated_on"):
        found = TicketFact.objects.filter(**{f"{column}__isnull": False})
        if state.summaries_cursor:
            found = found.filter(**{f"{column}__gt": state.summaries_cursor})
        days.update(found.values_list(column, flat=True).distinct().order_by(column)[:SUMMARY_DAYS])
    chosen = sorted(days)[:SUMMARY_DAYS]
    if len(chosen) < SUMMARY_DAYS:
        state.summaries_ready, state.summaries_cursor = True, None
    else:
        state.summaries_cursor = chosen[-1]
    return set(chosen)


def _refresh_batch(ids: list, zone: ZoneInfo, calendars: Calendars, now) -> set[dt.date]:
    """Upsert the facts of `ids`; answer the days whose rollups they change (old and new)."""
    old = TicketFact.objects.filter(pk__in=among(ids)).values_list(
        "created_on", "resolved_on", "rated_on"
    )
    days = {day for pair in old for day in pair if day}
    facts = facts_compute(ids, zone=zone, calendars=calendars, now=now)
    facts_save(facts)
    days |= {
        day for fact in facts for day in (fact.created_on, fact.resolved_on, fact.rated_on) if day
    }
    return days


def facts_save(facts: list[TicketFact]) -> None:
    """Upsert facts with one prepared statement sent many times (psycopg pipelines it);
    bulk_create's single statement with ~30 parameters per row cost more to build than to run."""
    if not facts:
        return
    fields = [
        TicketFact._meta.get_field("ticket"),
        *(TicketFact._meta.get_field(n) for n in FACT_FIELDS),
    ]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    updates = ", ".join(f'"{f.column}" = EXCLUDED."{f.column}"' for f in fields[1:])
    sql = (
        f'INSERT INTO "{TicketFact._meta.db_table}" ({columns}) '
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f'ON CONFLICT ("ticket_id") DO UPDATE SET {updates}'
    )
    # Every value is a plain uuid/date/str/int/bool/float/list that psycopg adapts as is.
    names = [field.attname for field in fields]
    rows = [[getattr(fact, name) for name in names] for fact in facts]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rollup_days_rebuild(*, days: Iterable[dt.date], zone: ZoneInfo) -> None:
    """Rebuild the DailyRollup rows of `days` from the facts (one statement each way)."""
    days = sorted(set(days))
    if not days:
        return
    DailyRollup.objects.filter(day__in=days).delete()
    table, facts = DailyRollup._meta.db_table, TicketFact._meta.db_table
    # Created-on counters and resolved-on counters come from two passes over the facts,
    # grouped by the same dimensions, then summed into one row per day and combination.
    sql = f"""
        INSERT INTO {table} (day, priority, channel, category_id, assignee_id, created, solved,
            reopened, first_response_met, first_response_breached, resolution_met,
            resolution_breached)
        SELECT day, priority, channel, category_id, assignee_id, SUM(created), SUM(solved),
            SUM(reopened), SUM(fr_met), SUM(fr_breached), SUM(res_met), SUM(res_breached)
        FROM (
            SELECT created_on AS day, priority, channel, category_id, assignee_id,
                1 AS created, 0 AS solved, (reopens > 0)::int AS reopened,
                first_response_met::int AS fr_met, first_response_breached::int AS fr_breached,
                0 AS res_met, 0 AS res_breached
            FROM {facts} WHERE NOT is_merged AND created_on = ANY(%s)
            UNION ALL
            SELECT resolved_on, priority, channel, category_id, assignee_id,
                0, 1, 0, 0, 0, resolution_met::int, resolution_breached::int
            FROM {facts} WHERE NOT is_merged AND resolved_on = ANY(%s)
        ) AS parts
        GROUP BY day, priority, channel, category_id, assignee_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [days, days])
    summaries_rebuild(days=days)


def _message_days(ids: list, since: dt.datetime | None, zone: ZoneInfo) -> set[dt.date]:
    """Local days of the tickets' messages (added since `since`, if given: a new message
    touches its ticket, so its ticket is among `ids`; the (ticket, created_at) index serves
    this)."""
    messages = Message.objects.filter(ticket_id__in=among(ids))
    if since is not None:
        messages = messages.filter(created_at__gte=since)
    stamps = messages.values_list("created_at", flat=True)
    return {stamp.astimezone(zone).date() for stamp in stamps}


def agent_days_rebuild(*, days: set[dt.date] | None, zone: ZoneInfo) -> None:
    """Rebuild AgentDay for `days` (None: every day) from the staff users' messages."""
    from panel1.accounts.models import STAFF_ROLES, User

    if days is not None and not days:
        return
    rows = AgentDay.objects.all() if days is None else AgentDay.objects.filter(day__in=days)
    rows.delete()
    params: list = [zone.key, sorted(STAFF_ROLES)]
    day_filter = ""
    if days is not None:
        # The instant range lets the created_at index narrow the scan; the date test is exact.
        low = dt.datetime.combine(min(days), dt.time.min, tzinfo=zone)
        high = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        day_filter = (
            "AND m.created_at >= %s AND m.created_at < %s "
            "AND (m.created_at AT TIME ZONE %s)::date = ANY(%s)"
        )
        params += [low, high, zone.key, sorted(days)]
    sql = f"""
        INSERT INTO {AgentDay._meta.db_table} (day, agent_id, replies, time_spent)
        SELECT (m.created_at AT TIME ZONE %s)::date, m.author_id,
            COUNT(*) FILTER (WHERE m.message_type = 'STAFF_REPLY' AND NOT m.is_auto_response),
            COALESCE(SUM(m.time_spent), 0)
        FROM {Message._meta.db_table} m JOIN {User._meta.db_table} u ON u.id = m.author_id
        WHERE u.role = ANY(%s) {day_filter}
        GROUP BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def facts_stale_count() -> int:
    """Tickets the job has not seen yet (for the report pages' freshness note)."""
    return Ticket.objects.filter(~Q(pk__in=TicketFact.objects.values("pk"))).count()
