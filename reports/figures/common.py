"""Shared pieces of the report computations: the fact scope, rounding, day buckets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from reports.aggregates import median, p90
from reports.models import DailyRollup, TicketFact
from reports.params import ReportParams


def dims_filter(qs: QuerySet, params: ReportParams) -> QuerySet:
    """The category, agent (assignee), priority and channel filters."""
    if params.categories:
        ids = [c for c in params.categories if c is not None]
        condition = Q(category_id__in=ids)
        if None in params.categories:
            condition |= Q(category__isnull=True)
        qs = qs.filter(condition)
    if params.agents:
        qs = qs.filter(assignee_id__in=params.agents)
    if params.priorities:
        qs = qs.filter(priority__in=params.priorities)
    if params.channels:
        qs = qs.filter(channel__in=params.channels)
    return qs


def facts(params: ReportParams, *, on: str = "created_on") -> QuerySet[TicketFact]:
    """Facts of unmerged tickets whose `on` date lies in the period, with every filter."""
    qs = TicketFact.objects.filter(
        is_merged=False, **{f"{on}__gte": params.start, f"{on}__lte": params.end}
    )
    qs = dims_filter(qs, params)
    if params.tags:
        qs = qs.filter(tags__contains=list(params.tags))
    return qs.order_by()


def rollups(params: ReportParams) -> QuerySet[DailyRollup]:
    """Daily rollups of the period (usable when no tag filter is given)."""
    qs = DailyRollup.objects.filter(day__gte=params.start, day__lte=params.end)
    return dims_filter(qs, params).order_by()


def r1(value) -> float | None:
    return None if value is None else round(float(value), 1)


def r2(value) -> float | None:
    return None if value is None else round(float(value), 2)


def rate(met: int, breached: int) -> float | None:
    total = (met or 0) + (breached or 0)
    return None if not total else round(100 * (met or 0) / total, 1)


def bucket(day: dt.date, interval: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if interval == "week" else day


def buckets(params: ReportParams) -> list[dt.date]:
    """The first day of every bucket in the period, in order."""
    seen = dict.fromkeys(
        bucket(params.start + dt.timedelta(days=n), params.interval) for n in range(params.days)
    )
    return list(seen)


def time_figures(prefix: str, field: str) -> dict:
    """Median and p90 of a minutes field, wall-clock and business."""
    return {
        f"{prefix}_median": median(field),
        f"{prefix}_p90": p90(field),
        f"{prefix}_business_median": median(field.replace("_minutes", "_business_minutes")),
        f"{prefix}_business_p90": p90(field.replace("_minutes", "_business_minutes")),
    }


def rounded(row: dict, keys: Iterable[str]) -> dict:
    return {key: r1(row.get(key)) for key in keys}


NEXT_KEYS = (
    "next_response_median",
    "next_response_p90",
    "next_response_business_median",
    "next_response_business_p90",
)


def next_response_figures(qs: QuerySet[TicketFact], group: str | None = None) -> dict:
    """Median/p90 over every next-response wait of the tickets in `qs` (the per-ticket
    arrays are unnested in SQL), per value of the `group` column or overall (key None)."""
    inner, params = qs.values("pk").query.sql_with_params()
    column = f"f.{group}" if group else "NULL"
    sql = f"""
        SELECT {column},
            percentile_cont(0.5) WITHIN GROUP (ORDER BY u.wall),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY u.wall),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY u.business),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY u.business)
        FROM {TicketFact._meta.db_table} f
        CROSS JOIN LATERAL unnest(f.next_response_minutes, f.next_response_business_minutes)
            AS u(wall, business)
        WHERE f.ticket_id IN ({inner})
        GROUP BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: dict(zip(NEXT_KEYS, map(r1, row[1:]), strict=True)) for row in cursor}


def grouped(qs: QuerySet, group: str | None, **aggregates) -> dict:
    """{value of `group`: figures}, or {None: figures} over everything when no group."""
    if group is None:
        return {None: qs.aggregate(**aggregates)}
    return {row.pop(group): row for row in qs.values(group).annotate(**aggregates)}
