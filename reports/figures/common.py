"""Shared pieces of the report computations: the fact scope, rounding, day buckets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Q, QuerySet

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


def rounded(row: dict, keys: Iterable[str]) -> dict:
    return {key: r1(row.get(key)) for key in keys}


def pct(fraction: float, column: str) -> str:
    return f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {column})"


def times_sql(prefix: str, wall: str, business: str, *, p90: bool = True) -> dict:
    """SQL for the median (and p90) of a wall-clock and a business minutes column.

    Both fractions come from one ordered-set aggregate per column (an array result), so
    PostgreSQL sorts each column once: the keys are then tuples of figure names.
    """
    if not p90:
        return {f"{prefix}_median": pct(0.5, wall), f"{prefix}_business_median": pct(0.5, business)}
    return {
        (f"{prefix}_median", f"{prefix}_p90"): pct("ARRAY[0.5, 0.9]", wall),
        (f"{prefix}_business_median", f"{prefix}_business_p90"): pct("ARRAY[0.5, 0.9]", business),
    }


NEXT_RESPONSE_UNNEST = (
    "CROSS JOIN LATERAL unnest(f.next_response_minutes, f.next_response_business_minutes) "
    "AS u(wall, business)"
)


def _named(figures: dict, values) -> dict:
    """Figure name -> value; a tuple of names takes the items of an array value."""
    named = {}
    for names, value in zip(figures, values, strict=True):
        if isinstance(names, tuple):
            named.update(zip(names, value or [None] * len(names), strict=True))
        else:
            named[names] = value
    return named


def figures_by(
    qs: QuerySet,
    *,
    columns: Sequence[str],
    groups: Sequence[str] = (),
    figures: dict,
    join: str = "",
) -> dict[tuple[str, object], dict]:
    """SQL `figures` over the rows of `qs`, overall (key ("all", None)) and per value of each
    column in `groups` (key (column, value)), in one scan (GROUPING SETS).

    `columns` are the fact columns the figures and groups read (selected from `qs`, so every
    filter of `qs` applies); figures refer to them as `f.<column>`.
    """
    inner, params = qs.values(*dict.fromkeys([*columns, *groups])).query.sql_with_params()
    flags = [f"GROUPING(f.{group})" for group in groups] or ["0"]
    selected = [*flags, *(f"f.{group}" for group in groups), *figures.values()]
    sets = ", ".join(["()", *(f"(f.{group})" for group in groups)])
    sql = f"SELECT {', '.join(selected)} FROM ({inner}) AS f {join} GROUP BY GROUPING SETS ({sets})"
    found: dict[tuple[str, object], dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            marks, keys, values = (
                row[: len(flags)],
                row[len(flags) : len(flags) + len(groups)],
                row[len(flags) + len(groups) :],
            )
            grouped_by = [g for g, mark in zip(groups, marks, strict=False) if mark == 0]
            key = (
                ("all", None)
                if not grouped_by
                else (grouped_by[0], keys[groups.index(grouped_by[0])])
            )
            found[key] = _named(figures, values)
    return found
