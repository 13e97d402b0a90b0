"""Ticket reports: overview, response times, SLA, categories and tags.

Counts per day come from the daily rollups; with a tag filter (rollups have no tag
dimension) the same figures come from the ticket facts. Times (median, p90) always come from
the facts. First and next response times count tickets created in the period, resolution
times tickets resolved in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from reports.figures import summarised
from reports.figures.common import (
    NEXT_RESPONSE_UNNEST,
    bucket,
    buckets,
    dims_filter,
    facts,
    figures_by,
    r1,
    rate,
    rollups,
    rounded,
    times_sql,
)
from reports.models import DailyRollup, TicketFact
from reports.params import ReportParams
from tickets.models import Category, Channel, Priority

# --- overview -------------------------------------------------------------------------------

OVERVIEW_COLUMNS = ("date", "created", "solved", "backlog")


def _daily_counts(params: ReportParams) -> dict[dt.date, dict[str, int]]:
    counts: dict[dt.date, dict[str, int]] = defaultdict(lambda: {"created": 0, "solved": 0})
    if not params.tags:
        for row in rollups(params).values("day").annotate(c=Sum("created"), s=Sum("solved")):
            counts[row["day"]].update(created=row["c"], solved=row["s"])
        return counts
    for row in facts(params).values("created_on").annotate(n=Count("pk")):
        counts[row["created_on"]]["created"] = row["n"]
    for row in facts(params, on="resolved_on").values("resolved_on").annotate(n=Count("pk")):
        counts[row["resolved_on"]]["solved"] = row["n"]
    return counts


def _backlog_before(params: ReportParams) -> int:
    """Tickets open at the start of the period: created before it, not solved before it."""
    if not params.tags:
        earlier = dims_filter(DailyRollup.objects.filter(day__lt=params.start), params)
        sums = earlier.aggregate(c=Sum("created"), s=Sum("solved"))
        return (sums["c"] or 0) - (sums["s"] or 0)
    earlier = dims_filter(
        TicketFact.objects.filter(is_merged=False, created_on__lt=params.start), params
    ).filter(tags__contains=list(params.tags))
    return earlier.filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=params.start)).count()


def _created_by(params: ReportParams, field: str, choices: list[str]) -> dict[str, int]:
    found = dict.fromkeys(choices, 0)
    if not params.tags:
        rows = rollups(params).values(field).annotate(n=Sum("created"))
    else:
        rows = facts(params).values(field).annotate(n=Count("pk"))
    for row in rows:
        found[row[field]] = found.get(row[field], 0) + (row["n"] or 0)
    return found


def overview(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    counts = _daily_counts(params)
    backlog = backlog_start = _backlog_before(params)
    per_bucket: dict[dt.date, dict] = {
        day: {"date": day, "created": 0, "solved": 0, "backlog": 0} for day in buckets(params)
    }
    for n in range(params.days):
        day = params.start + dt.timedelta(days=n)
        row = per_bucket[bucket(day, params.interval)]
        today = counts.get(day, {"created": 0, "solved": 0})
        backlog += today["created"] - today["solved"]
        row["created"] += today["created"]
        row["solved"] += today["solved"]
        row["backlog"] = backlog
    rows = list(per_bucket.values())
    totals = {
        "created": sum(r["created"] for r in rows),
        "solved": sum(r["solved"] for r in rows),
        "backlog_start": backlog_start,
        "backlog_end": backlog,
        "by_channel": _created_by(params, "channel", list(Channel.values)),
        "by_priority": _created_by(params, "priority", list(Priority.values)),
    }
    return (rows if with_rows else []), totals


# --- response times -------------------------------------------------------------------------

RESPONSE_COLUMNS = (
    "dimension",
    "key",
    "label",
    "tickets",
    "solved",
    "first_response_median",
    "first_response_p90",
    "first_response_business_median",
    "first_response_business_p90",
    "next_response_median",
    "next_response_p90",
    "next_response_business_median",
    "next_response_business_p90",
    "resolution_median",
    "resolution_p90",
    "resolution_business_median",
    "resolution_business_p90",
)
EMPTY_NEXT = dict.fromkeys(RESPONSE_COLUMNS[9:13])


CREATED_FIGURES = {
    "tickets": "count(*)",
    **times_sql("first_response", "f.first_response_minutes", "f.first_response_business_minutes"),
}
RESOLVED_FIGURES = {
    "solved": "count(*)",
    **times_sql("resolution", "f.resolution_minutes", "f.resolution_business_minutes"),
}
NEXT_FIGURES = times_sql("next_response", "u.wall", "u.business")
FIRST_COLUMNS = ["first_response_minutes", "first_response_business_minutes"]
RESOLUTION_COLUMNS = ["resolution_minutes", "resolution_business_minutes"]
NEXT_COLUMNS = ["next_response_minutes", "next_response_business_minutes"]


def _empty_times() -> dict:
    return {"tickets": 0, "solved": 0, **EMPTY_NEXT}


def _times(params: ReportParams, groups: list[str]) -> dict:
    """{(group, value): figures}: responses over the tickets created in the period,
    resolutions over those resolved in it; three scans whatever the groups."""
    if summarised.summarised(params):
        return summarised.times(params, groups, _empty_times)
    created, resolved = facts(params), facts(params, on="resolved_on")
    found: dict = defaultdict(_empty_times)
    for qs, columns, figures, join in (
        (created, FIRST_COLUMNS, CREATED_FIGURES, ""),
        (resolved, RESOLUTION_COLUMNS, RESOLVED_FIGURES, ""),
        (created, NEXT_COLUMNS, NEXT_FIGURES, NEXT_RESPONSE_UNNEST),
    ):
        rows = figures_by(qs, columns=columns, groups=groups, figures=figures, join=join)
        for key, row in rows.items():
            found[key].update(row)
    return found


def _time_row(dimension: str, key, label: str, figures: dict) -> dict:
    row = {"dimension": dimension, "key": None if key is None else str(key), "label": label}
    row["tickets"], row["solved"] = figures.get("tickets", 0), figures.get("solved", 0)
    row.update(rounded(figures, RESPONSE_COLUMNS[5:]))
    return row


def response_times(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    found = _times(params, ["priority", "category_id"] if with_rows else [])
    totals = _time_row("all", None, "All tickets", found[("all", None)])
    for key in ("dimension", "key", "label"):
        totals.pop(key)
    if not with_rows:
        return [], totals
    rows = []
    for priority in Priority.values:
        if ("priority", priority) in found:
            rows.append(_time_row("priority", priority, priority, found[("priority", priority)]))
    categories = [value for group, value in found if group == "category_id"]
    names = dict(Category.objects.filter(pk__in=categories).values_list("pk", "name"))
    for key in sorted(categories, key=lambda k: (k is None, names.get(k, ""))):
        label = names.get(key) or _("Uncategorized")
        rows.append(_time_row("category", key, label, found[("category_id", key)]))
    return rows, totals


# --- SLA ------------------------------------------------------------------------------------

SLA_COLUMNS = (
    "date",
    "first_response_met",
    "first_response_breached",
    "first_response_rate",
    "resolution_met",
    "resolution_breached",
    "resolution_rate",
)
SLA_SUMS = SLA_COLUMNS[1:3] + SLA_COLUMNS[4:6]


def _sla_daily(params: ReportParams) -> dict[dt.date, dict[str, int]]:
    daily: dict = defaultdict(lambda: dict.fromkeys(SLA_SUMS, 0))
    if not params.tags:
        for row in rollups(params).values("day").annotate(**{k: Sum(k) for k in SLA_SUMS}):
            daily[row.pop("day")].update(row)
        return daily
    first = {k: Count("pk", filter=Q(**{k: True})) for k in SLA_SUMS[:2]}
    for row in facts(params).values("created_on").annotate(**first):
        daily[row.pop("created_on")].update(row)
    resolution = {k: Count("pk", filter=Q(**{k: True})) for k in SLA_SUMS[2:]}
    for row in facts(params, on="resolved_on").values("resolved_on").annotate(**resolution):
        daily[row.pop("resolved_on")].update(row)
    return daily


def _breaches_by(params: ReportParams) -> dict[str, dict[str, int]]:
    if summarised.summarised(params):
        return summarised.breaches(params)
    breached = facts(params).filter(Q(first_response_breached=True) | Q(resolution_breached=True))
    result = {}
    for field, label in (
        ("category__name", "breaches_by_category"),
        ("priority", "breaches_by_priority"),
        ("assignee__email", "breaches_by_agent"),
    ):
        rows = breached.values(field).annotate(n=Count("pk")).order_by(field)
        result[label] = {(row[field] or "none"): row["n"] for row in rows}
    return result


def sla(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    daily = _sla_daily(params)
    per_bucket = {day: {"date": day, **dict.fromkeys(SLA_SUMS, 0)} for day in buckets(params)}
    for day, counts in daily.items():
        row = per_bucket.get(bucket(day, params.interval))
        if row is not None:
            for key in SLA_SUMS:
                row[key] += counts[key] or 0
    rows = [_with_rates(row) for row in per_bucket.values()]
    totals = _with_rates({key: sum(row[key] for row in rows) for key in SLA_SUMS})
    totals.update(_breaches_by(params))
    return (rows if with_rows else []), totals


def _with_rates(row: dict) -> dict:
    row["first_response_rate"] = rate(row["first_response_met"], row["first_response_breached"])
    row["resolution_rate"] = rate(row["resolution_met"], row["resolution_breached"])
    return {key: row[key] for key in (*SLA_COLUMNS, *row) if key in row}


# --- categories and tags --------------------------------------------------------------------

VOLUME_FIGURES = (
    "created",
    "solved",
    "first_response_median",
    "first_response_business_median",
    "resolution_median",
    "resolution_business_median",
)
CATEGORY_COLUMNS = ("category", "name", *VOLUME_FIGURES)
TAG_COLUMNS = ("tag", *VOLUME_FIGURES)


def _empty_volume() -> dict:
    return {"created": 0, "solved": 0, **dict.fromkeys(VOLUME_FIGURES[2:])}


VOLUME_CREATED = {"created": "count(*)", **times_sql(
    "first_response", "f.first_response_minutes", "f.first_response_business_minutes", p90=False
)}  # fmt: skip
VOLUME_RESOLVED = {"solved": "count(*)", **times_sql(
    "resolution", "f.resolution_minutes", "f.resolution_business_minutes", p90=False
)}  # fmt: skip


def _volume(params: ReportParams, groups: list[str]) -> dict:
    if summarised.summarised(params):
        return summarised.volume(params, groups, _empty_volume)
    found: dict = defaultdict(_empty_volume)
    for qs, columns, figures in (
        (facts(params), FIRST_COLUMNS, VOLUME_CREATED),
        (facts(params, on="resolved_on"), RESOLUTION_COLUMNS, VOLUME_RESOLVED),
    ):
        for key, row in figures_by(qs, columns=columns, groups=groups, figures=figures).items():
            found[key].update(row)
    return found


def _volume_row(figures: dict) -> dict:
    row = {"created": figures.get("created") or 0, "solved": figures.get("solved") or 0}
    row.update({key: r1(figures.get(key)) for key in VOLUME_FIGURES[2:]})
    return row


def categories(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    found = _volume(params, ["category_id"] if with_rows else [])
    totals = _volume_row(found[("all", None)])
    if not with_rows:
        return [], totals
    keys = [value for group, value in found if group == "category_id"]
    names = dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))
    order = sorted(keys, key=lambda k: (k is None, names.get(k, "")))
    rows = [
        {"category": None if key is None else str(key), "name": names.get(key, "Uncategorized"),
         **_volume_row(found[("category_id", key)])}
        for key in order
    ]  # fmt: skip
    return rows, totals


def _tag_volume(params: ReportParams) -> dict[str, dict]:
    """Per tag (a ticket counts once for each of its tags), created and solved figures."""
    if summarised.summarised(params):
        return summarised.tag_volume(params, _empty_volume)
    found: dict = defaultdict(_empty_volume)
    for on, count_key, prefix in (
        ("created_on", "created", "first_response"),
        ("resolved_on", "solved", "resolution"),
    ):
        inner, args = facts(params, on=on).values("pk").query.sql_with_params()
        sql = f"""
            SELECT t.tag, COUNT(*),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY f.{prefix}_minutes),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY f.{prefix}_business_minutes)
            FROM {TicketFact._meta.db_table} f CROSS JOIN LATERAL unnest(f.tags) AS t(tag)
            WHERE f.ticket_id IN ({inner}) GROUP BY t.tag
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            for tag, count, wall, business in cursor:
                found[tag].update(
                    {count_key: count, f"{prefix}_median": wall,
                     f"{prefix}_business_median": business}
                )  # fmt: skip
    return found


def tags(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    totals = _volume_row(_volume(params, [])[("all", None)])
    if not with_rows:
        return [], totals
    found = _tag_volume(params)
    rows = [{"tag": tag, **_volume_row(found[tag])} for tag in sorted(found)]
    return rows, totals
