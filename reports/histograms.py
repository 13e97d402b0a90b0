"""Day summaries: additive figures and minute histograms per day, built from the facts.

The analytics job rebuilds the DaySummary and DayHistogram rows of every day it touches (in
the same transaction as the daily rollups, one INSERT ... SELECT each). Reports without
filters sum them over the range: a 90-day range reads a few thousand small rows at any
number of tickets, where the facts would be ~125k rows at a million tickets.

Buckets: minutes below EXACT_BELOW are their own bucket (exact); above, bucket b starts at
EXACT_BELOW * RATIO ** (b - EXACT_BELOW), so a median or p90 read from the histogram is
within one bucket (5 %) of the exact value (exact below an hour).

Blocks: the same rows summed over aligned weeks and four-week blocks (SummaryBlock,
HistogramBlock), rebuilt from the day rows whenever one of their days is. A range reads its
whole blocks and the day rows of its edges only (`cover`): a 90-day range reads about a dozen
time units instead of 90, with sums identical to the day rows' (integer counts added in
another order), so every median and p90 is the same.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from itertools import chain

import numpy as np
from django.db import connection

from reports.models import DayHistogram, DaySummary, HistogramBlock, SummaryBlock, TicketFact

EXACT_BELOW = 60
RATIO = 1.05
BUCKETS = 400  # the last one holds everything from ~6 years up

BASES = {"c": "created_on", "r": "resolved_on", "q": "rated_on"}
# Which dimensions each basis keeps (what the reports break down by).
DIMS = {
    "c": ("all", "priority", "category", "agent", "tag"),
    "r": ("all", "priority", "category", "agent", "tag"),
    "q": ("all", "category", "agent"),
}
# Histograms keep fewer: no report breaks response times of created tickets down by agent.
HISTOGRAM_DIMS = {
    "c": ("all", "priority", "category", "tag"),
    "r": ("all", "priority", "category", "agent", "tag"),
    "q": (),
}
# Measured minutes per basis: created (first and next responses), resolved (resolution, and
# first response of the solved tickets for the agents report).
METRICS = {
    "c": (
        ("fr", "SELECT f.first_response_minutes"),
        ("fr_b", "SELECT f.first_response_business_minutes"),
        ("nr", "SELECT unnest(f.next_response_minutes)"),
        ("nr_b", "SELECT unnest(f.next_response_business_minutes)"),
    ),
    "r": (
        ("fr", "SELECT f.first_response_minutes"),
        ("res", "SELECT f.resolution_minutes"),
        ("res_b", "SELECT f.resolution_business_minutes"),
    ),
    "q": (),
}
QUESTIONS = ("response_time", "solution", "team")
DISTRIBUTION_SIZE = 5 * 3
# Block grains, each a whole number of the one before (1: the day rows themselves). Blocks
# start on days aligned to EPOCH (a Monday): weeks are Monday to Sunday.
SPANS = (7, 28)
EPOCH = dt.date(2001, 1, 1)
SCALARS = (
    "tickets", "breached", "reopened", "score_sum", "score_n", "response_time_sum",
    "response_time_n", "solution_sum", "solution_n", "team_sum", "team_n",
)  # fmt: skip


def bucket_sql(column: str) -> str:
    # In double precision: ln() of a numeric (what `m / 60.0` is) costs ten times as much.
    return (
        f"CASE WHEN {column} < {EXACT_BELOW} THEN {column} ELSE LEAST({BUCKETS - 1}, "
        f"{EXACT_BELOW} + floor(ln({column}::float8 / {EXACT_BELOW}) / {math.log(RATIO)!r})::int)"
        " END"
    )


def bucket_bounds(index: int) -> tuple[float, float]:
    """[low, high) minutes of a bucket."""
    if index < EXACT_BELOW:
        return float(index), float(index)
    low = EXACT_BELOW * RATIO ** (index - EXACT_BELOW)
    return low, low * RATIO


def _dims_sql(dims: Iterable[str]) -> str:
    """(dim, key) rows of one fact, for `dims`."""
    parts = {
        "all": "SELECT 'all', ''",
        "priority": "SELECT 'priority', f.priority::text",
        "category": "SELECT 'category', coalesce(f.category_id::text, '')",
        "agent": "SELECT 'agent', coalesce(f.assignee_id::text, '')",
        "tag": "SELECT 'tag', t FROM unnest(f.tags) AS t",
    }
    return " UNION ALL ".join(parts[dim] for dim in dims)


def _from(basis: str, lateral: str) -> str:
    """FROM the facts counted on `basis` dates in `days` (the one parameter), with `lateral`."""
    where = f"NOT f.is_merged AND f.{BASES[basis]} = ANY(%s)"
    if basis == "q":
        where += " AND f.rating_score IS NOT NULL"
    return f"FROM {TicketFact._meta.db_table} f {lateral} WHERE {where}"


def _distribution_sql() -> str:
    return "ARRAY[" + ", ".join(
        f"count(*) FILTER (WHERE f.rating_{q} = {n})" for q in QUESTIONS for n in range(1, 6)
    ) + "]"  # fmt: skip


def summaries_rebuild(*, days: Iterable[dt.date]) -> None:
    """Rebuild the day summaries and histograms of `days` from the facts."""
    days = sorted(set(days))
    if not days:
        return
    DaySummary.objects.filter(day__in=days).delete()
    DayHistogram.objects.filter(day__in=days).delete()
    with connection.cursor() as cursor:
        for basis, column in BASES.items():
            cursor.execute(_summary_sql(basis, column), [days])
            if METRICS[basis]:
                cursor.execute(_histogram_sql(basis, column), [days])
    blocks_rebuild(days=days)


def _summary_sql(basis: str, column: str) -> str:
    sums = ", ".join(f"coalesce(sum(f.rating_{q}), 0), count(f.rating_{q})" for q in QUESTIONS)
    columns = ", ".join(SCALARS)
    return f"""
        INSERT INTO {DaySummary._meta.db_table} (day, basis, dim, key, {columns}, distribution)
        SELECT f.{column}, '{basis}', g.dim, g.key, count(*),
            count(*) FILTER (WHERE f.first_response_breached OR f.resolution_breached),
            count(*) FILTER (WHERE f.reopens > 0),
            coalesce(sum(f.rating_score), 0), count(f.rating_score), {sums},
            {_distribution_sql()}
        {_from(basis, f"CROSS JOIN LATERAL ({_dims_sql(DIMS[basis])}) AS g(dim, key)")}
        GROUP BY f.{column}, g.dim, g.key
    """


def _histogram_sql(basis: str, column: str) -> str:
    values = " UNION ALL ".join(
        f"SELECT '{metric}', m FROM ({select}) AS s(m)" for metric, select in METRICS[basis]
    )
    lateral = (
        f"CROSS JOIN LATERAL ({_dims_sql(HISTOGRAM_DIMS[basis])}) AS g(dim, key) "
        f"CROSS JOIN LATERAL ({values}) AS v(metric, m)"
    )
    return f"""
        INSERT INTO {DayHistogram._meta.db_table} (day, basis, dim, key, metric, buckets, counts)
        SELECT day, '{basis}', dim, key, metric, array_agg(b ORDER BY b), array_agg(n ORDER BY b)
        FROM (
            SELECT f.{column} AS day, g.dim, g.key, v.metric, {bucket_sql("v.m")} AS b,
                count(*) AS n
            {_from(basis, lateral)} AND v.m IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5
        ) AS x
        GROUP BY day, dim, key, metric
    """


# --- blocks ---------------------------------------------------------------------------------


def block_start(day: dt.date, span: int) -> dt.date:
    """The first day of the `span`-day block holding `day`."""
    return day - dt.timedelta(days=(day - EPOCH).days % span)


def cover(start: dt.date, end: dt.date, spans: tuple[int, ...] = SPANS) -> list[tuple]:
    """[(span, first, last)]: rows of `span` days starting from `first` to `last` that hold
    every day of [start, end] exactly once, the coarsest first (span 1: day rows)."""
    segments: list[list] = []
    day = start
    while day <= end:
        span = next(
            (s for s in sorted(spans, reverse=True)
             if block_start(day, s) == day and day + dt.timedelta(days=s - 1) <= end),
            1,
        )  # fmt: skip
        if segments and segments[-1][0] == span:
            segments[-1][2] = day
        else:
            segments.append([span, day, day])
        day += dt.timedelta(days=span)
    return [tuple(segment) for segment in segments]


def blocks_rebuild(*, days: Iterable[dt.date]) -> None:
    """Rebuild every block that holds one of `days` from the rows of the grain below it
    (weeks from the day rows, four-week blocks from the weeks)."""
    days = sorted(set(days))
    if not days:
        return
    with connection.cursor() as cursor:
        for below, span in zip((1, *SPANS), SPANS, strict=False):
            starts = sorted({block_start(day, span) for day in days})
            for model in (SummaryBlock, HistogramBlock):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE span = %s AND day = ANY(%s)",
                    [span, starts],
                )
            params = {
                "span": span,
                "below": below,
                "low": starts[0],
                "high": starts[-1] + dt.timedelta(days=span),
                "starts": starts,
            }
            cursor.execute(_summary_block_sql(below), params)
            cursor.execute(_histogram_block_sql(below), params)


def _lower_rows(model, below: int, columns: str) -> str:
    """The rows of grain `below` inside the blocks rebuilt, with their block's first day."""
    if below == 1:
        model = {SummaryBlock: DaySummary, HistogramBlock: DayHistogram}[model]
    span_filter = "" if below == 1 else "AND span = %(below)s"
    return f"""
        SELECT * FROM (
            SELECT day - ((day - DATE '{EPOCH.isoformat()}') %% %(span)s) AS block, {columns}
            FROM {model._meta.db_table}
            WHERE day >= %(low)s AND day < %(high)s {span_filter}
        ) AS rows WHERE block = ANY(%(starts)s)
    """


def _summary_block_sql(below: int) -> str:
    columns = ", ".join(SCALARS)
    sums = ", ".join(f"sum({name})" for name in SCALARS)
    distribution = ", ".join(
        f"coalesce(sum(distribution[{n}]), 0)" for n in range(1, DISTRIBUTION_SIZE + 1)
    )
    rows = _lower_rows(SummaryBlock, below, f"basis, dim, key, {columns}, distribution")
    return f"""
        INSERT INTO {SummaryBlock._meta.db_table}
            (day, span, basis, dim, key, {columns}, distribution)
        SELECT block, %(span)s, basis, dim, key, {sums}, ARRAY[{distribution}]
        FROM ({rows}) AS r
        GROUP BY block, basis, dim, key
    """


def _histogram_block_sql(below: int) -> str:
    rows = _lower_rows(HistogramBlock, below, "basis, dim, key, metric, buckets, counts")
    return f"""
        INSERT INTO {HistogramBlock._meta.db_table}
            (day, span, basis, dim, key, metric, buckets, counts)
        SELECT block, %(span)s, basis, dim, key, metric, array_agg(b ORDER BY b),
            array_agg(n ORDER BY b)
        FROM (
            SELECT r.block, r.basis, r.dim, r.key, r.metric, u.b, sum(u.n) AS n
            FROM ({rows}) AS r CROSS JOIN LATERAL unnest(r.buckets, r.counts) AS u(b, n)
            GROUP BY 1, 2, 3, 4, 5, 6
        ) AS x
        GROUP BY block, basis, dim, key, metric
    """


def blocks_backfill_next(after: dt.date | None, count: int) -> list[dt.date]:
    """The first days of the next `count` largest blocks after `after` that hold day rows."""
    top = SPANS[-1]
    sql = f"""
        SELECT DISTINCT day - ((day - DATE '{EPOCH.isoformat()}') %% {top}) AS block
        FROM {DaySummary._meta.db_table} WHERE %s::date IS NULL OR day >= %s::date
        ORDER BY block LIMIT %s
    """
    first = None if after is None else after + dt.timedelta(days=top)
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, first, count])
        return [row[0] for row in cursor.fetchall()]


# --- reading ----------------------------------------------------------------------------------


def _rows_sql(day_model, block_model, columns: str, segments: list[tuple]) -> tuple[str, list]:
    """The day rows and block rows of `segments` (from `cover`) with `columns`, where
    `basis = %s AND dim = ANY(%s)` (their first two parameters, given twice if both)."""
    parts, params = [], []
    days = [(first, last) for span, first, last in segments if span == 1]
    blocks = [(span, first, last) for span, first, last in segments if span != 1]
    if days:
        ranges = " OR ".join("(day >= %s AND day <= %s)" for _ in days)
        parts.append(
            f"SELECT {columns} FROM {day_model._meta.db_table} "
            f"WHERE basis = %s AND dim = ANY(%s) AND ({ranges})"
        )
        params.append([value for pair in days for value in pair])
    if blocks:
        ranges = " OR ".join("(span = %s AND day >= %s AND day <= %s)" for _ in blocks)
        parts.append(
            f"SELECT {columns} FROM {block_model._meta.db_table} "
            f"WHERE basis = %s AND dim = ANY(%s) AND ({ranges})"
        )
        params.append([value for triple in blocks for value in triple])
    return " UNION ALL ".join(parts), params


def _bind(sql_params: list, prefix: list) -> list:
    return [value for ranges in sql_params for value in (*prefix, *ranges)]


def summary_sums(segments: list[tuple], basis: str, dims: list[str]) -> dict:
    """{(dim, key): summed scalars (and the distribution)} over the days of `segments`."""
    if not segments:
        return {}
    rows, params = _rows_sql(
        DaySummary, SummaryBlock, f"dim, key, {', '.join(SCALARS)}, distribution", segments
    )
    sums = ", ".join(f"sum({name})" for name in SCALARS)
    sql = f"SELECT dim, key, {sums}, array_agg(distribution) FROM ({rows}) AS r GROUP BY dim, key"
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, _bind(params, [basis, dims]))
        for dim, key, *values in cursor:
            row = dict(zip(SCALARS, values[:-1], strict=True))
            lists = [d for d in values[-1] if d]
            row["distribution"] = [sum(col) for col in zip(*lists, strict=True)] if lists else []
            found[(dim, key)] = row
    return found


def histogram_sums(
    segments: list[tuple], basis: str, dims: list[str], metrics: list[str]
) -> dict[tuple[str, str, str], np.ndarray]:
    """{(dim, key, metric): bucket counts} summed over the days of `segments`."""
    if not segments:
        return {}
    rows, params = _rows_sql(
        DayHistogram, HistogramBlock, "dim, key, metric, buckets, counts", segments
    )
    sql = f"SELECT * FROM ({rows}) AS r WHERE metric = ANY(%s)"
    groups: dict[tuple[str, str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_bind(params, [basis, dims]), metrics])
        rows = cursor.fetchall()
    if not rows:
        return {}
    ids = [groups.setdefault((dim, key, metric), len(groups)) for dim, key, metric, _b, _c in rows]
    lengths = [len(row[3]) for row in rows]
    total = sum(lengths)
    # C-level flattening (chain) and one bincount: no Python loop over the buckets.
    flat = np.repeat(np.asarray(ids, dtype=np.int64) * BUCKETS, lengths) + np.fromiter(
        chain.from_iterable(row[3] for row in rows), dtype=np.int64, count=total
    )
    weights = np.fromiter(chain.from_iterable(row[4] for row in rows), dtype=np.int64, count=total)
    summed = np.bincount(flat, weights=weights, minlength=len(groups) * BUCKETS)
    return {name: summed[i * BUCKETS : (i + 1) * BUCKETS] for name, i in groups.items()}


def percentile(histogram: np.ndarray | None, fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over the histogram's values (within a bucket's width)."""
    if histogram is None:
        return None
    total = int(histogram.sum())
    if not total:
        return None
    position = fraction * (total - 1)
    low_rank, high_rank = math.floor(position), math.ceil(position)
    low, high = _value_at(histogram, low_rank), _value_at(histogram, high_rank)
    return low + (high - low) * (position - low_rank)


def _value_at(histogram: np.ndarray, rank: int) -> float:
    cumulative = np.cumsum(histogram)
    index = int(np.searchsorted(cumulative, rank, side="right"))
    low, high = bucket_bounds(index)
    if high == low:
        return low
    inside = histogram[index]
    before = cumulative[index] - inside
    return low + (high - low) * ((rank - before) + 0.5) / inside


def summary_days(start, end, basis: str) -> dict[dt.date, dict]:
    """{day: scalars} of the `all` rows of one basis over [start, end]."""
    columns = ", ".join(SCALARS)
    sql = f"""
        SELECT day, {columns} FROM {DaySummary._meta.db_table}
        WHERE basis = %s AND dim = 'all' AND day >= %s AND day <= %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [basis, start, end])
        return {day: dict(zip(SCALARS, values, strict=True)) for day, *values in cursor}
