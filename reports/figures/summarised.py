"""Report figures from the day summaries and histograms (reports without filters).

Same shapes as the fact-based computations in `tickets` and `people`, read from a few
thousand pre-aggregated rows whatever the number of tickets. Used when the period holds at
least REPORTS_SUMMARY_MIN_TICKETS tickets (below that the facts are cheap and exact) and no
filter narrows the tickets (the summaries keep one dimension at a time). The period is read
as whole weeks and four-week blocks (SummaryBlock, HistogramBlock) plus the day rows of its
edges (`segments`): the same sums as its day rows, from about a dozen time units for 90 days.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.conf import settings
from django.db.models import Sum

from panel1.accounts.models import User
from reports.histograms import SPANS, cover, histogram_sums, percentile, summary_days, summary_sums
from reports.models import DaySummary, RollupState
from reports.params import ReportParams
from tickets.models import Category

DEFAULT_MIN_TICKETS = 5000
# Report group names -> summary dimensions.
DIMS = {"priority": "priority", "category_id": "category", "assignee_id": "agent", "tag": "tag"}
GROUP_OF = {dim: group for group, dim in DIMS.items()}
TIMES = {
    "c": (("first_response", "fr", "fr_b"), ("next_response", "nr", "nr_b")),
    "r": (("resolution", "res", "res_b"),),
}


def summarised(params: ReportParams) -> bool:
    """Whether this period and its filters are read from the summaries (asked once per period
    and report: the answer is kept in the params' `extra`, shared with the previous period)."""
    if params.has_ticket_filters or params.tags or params.own_only:
        return False
    known = params.extra.setdefault("summarised", {})
    if (params.start, params.end) not in known:
        known[(params.start, params.end)] = _summarised(params)
    return known[(params.start, params.end)]


def _summarised(params: ReportParams) -> bool:
    state = (
        RollupState.objects.filter(pk=1)
        .values("summaries_ready", "backfill_pending", "blocks_ready")
        .first()
    )
    if not state or not state["summaries_ready"] or state["backfill_pending"]:
        return False
    # Blocks only once the job has built all of them (tenants from before the blocks).
    params.extra["blocks"] = state["blocks_ready"] and getattr(
        settings, "REPORTS_SUMMARY_BLOCKS", True
    )
    threshold = getattr(settings, "REPORTS_SUMMARY_MIN_TICKETS", DEFAULT_MIN_TICKETS)
    if threshold <= 0:
        return True
    count = DaySummary.objects.filter(
        basis="c", dim="all", day__gte=params.start, day__lte=params.end
    ).aggregate(n=Sum("tickets"))["n"]
    return (count or 0) >= threshold


def segments(params: ReportParams) -> list[tuple]:
    """The day rows and blocks that hold the period (reports.histograms.cover): whole weeks and
    four-week blocks inside it once the job has built them, the day rows for the rest."""
    return cover(params.start, params.end, SPANS if params.extra.get("blocks") else ())


def _value(dim: str, key: str):
    if dim in ("category", "agent"):
        return uuid.UUID(key) if key else None
    return None if dim == "all" else key


def _report_key(dim: str, key: str) -> tuple[str, object]:
    return ("all", None) if dim == "all" else (GROUP_OF.get(dim, dim), _value(dim, key))


def _times_of(histograms: dict, dim: str, key: str, basis: str, *, p90: bool = True) -> dict:
    figures = {}
    for prefix, wall, business in TIMES[basis]:
        for name, metric in ((prefix, wall), (f"{prefix}_business", business)):
            histogram = histograms.get((dim, key, metric))
            figures[f"{name}_median"] = percentile(histogram, 0.5)
            if p90:
                figures[f"{name}_p90"] = percentile(histogram, 0.9)
    return figures


def times(params: ReportParams, groups: list[str], default) -> dict:
    """As `tickets._times`: {(group, value): counts, medians and p90s}."""
    dims = ["all", *(DIMS[group] for group in groups)]
    found: dict = defaultdict(default)
    for basis, count_key in (("c", "tickets"), ("r", "solved")):
        sums = summary_sums(segments(params), basis, dims)
        metrics = [m for _prefix, *pair in TIMES[basis] for m in pair]
        histograms = histogram_sums(segments(params), basis, dims, metrics)
        for dim, key in sums:
            row = found[_report_key(dim, key)]
            row[count_key] = sums[(dim, key)]["tickets"]
            row.update(_times_of(histograms, dim, key, basis))
    return found


def volume(params: ReportParams, groups: list[str], default) -> dict:
    """As `tickets._volume`: created and solved counts with medians, per group."""
    found = times(params, groups, default)
    for row in found.values():
        row["created"] = row.pop("tickets", 0)
        for key in [k for k in row if k.endswith("_p90") or k.startswith("next_response")]:
            row.pop(key)
    return found


def tag_volume(params: ReportParams, default) -> dict[str, dict]:
    """As `tickets._tag_volume`: {tag: volume figures}."""
    found = volume(params, ["tag"], default)
    return {key: row for (group, key), row in found.items() if group == "tag"}


def agent_figures(params: ReportParams) -> tuple[dict, dict]:
    """As the agents report's per-assignee and overall figures (tickets solved in the period)."""
    sums = summary_sums(segments(params), "r", ["agent"])
    histograms = histogram_sums(segments(params), "r", ["agent"], ["fr", "res"])
    by_agent, overall = {}, {"tickets": 0, "reopened": 0, "score_sum": 0.0, "score_n": 0}
    merged: dict[str, object] = {}
    for (_dim, key), row in sums.items():
        if not key:
            continue  # unassigned tickets are nobody's
        by_agent[uuid.UUID(key)] = _agent_row(row, histograms, key)
        for name in overall:
            overall[name] += row[name]
        for metric in ("fr", "res"):
            histogram = histograms.get(("agent", key, metric))
            if histogram is not None:
                merged[metric] = histogram + merged[metric] if metric in merged else histogram
    totals = _agent_row(overall, {("agent", "", m): h for m, h in merged.items()}, "")
    return by_agent, totals


def _agent_row(row: dict, histograms: dict, key: str) -> dict:
    return {
        "solved": row["tickets"],
        "reopened": row["reopened"],
        "first_response_median": percentile(histograms.get(("agent", key, "fr")), 0.5),
        "resolution_median": percentile(histograms.get(("agent", key, "res")), 0.5),
        "satisfaction": row["score_sum"] / row["score_n"] if row["score_n"] else None,
    }


def breaches(params: ReportParams) -> dict[str, dict[str, int]]:
    """As `tickets._breaches_by`: tickets created in the period with a breach, per dimension."""
    sums = summary_sums(segments(params), "c", ["category", "priority", "agent"])
    counted = {(dim, key): row["breached"] for (dim, key), row in sums.items() if row["breached"]}
    ids = {dim: [k for d, k in counted if d == dim and k] for dim in ("category", "agent")}
    names = {
        "category": dict(Category.objects.filter(pk__in=ids["category"]).values_list("pk", "name")),
        "agent": dict(User.objects.filter(pk__in=ids["agent"]).values_list("pk", "email")),
    }
    result = {}
    for dim, label in (
        ("category", "breaches_by_category"),
        ("priority", "breaches_by_priority"),
        ("agent", "breaches_by_agent"),
    ):
        rows = {}
        for (d, key), n in counted.items():
            if d != dim:
                continue
            name = key if dim == "priority" else names[dim].get(uuid.UUID(key)) if key else None
            rows[name or "none"] = rows.get(name or "none", 0) + n
        result[label] = dict(sorted(rows.items()))
    return result


def _mean(row: dict, name: str) -> float | None:
    return row[f"{name}_sum"] / row[f"{name}_n"] if row[f"{name}_n"] else None


def score_row(row: dict) -> dict:
    """A summary row as the satisfaction report's SCORE_FIGURES."""
    return {
        "responses": row["tickets"],
        "score": _mean(row, "score"),
        **{name: _mean(row, name) for name in ("response_time", "solution", "team")},
    }


def satisfaction(params: ReportParams, *, with_rows: bool) -> dict:
    """The satisfaction report's parts: totals, per day, distribution, per agent and category."""
    dims = ["all", "agent", "category"] if with_rows else ["all"]
    sums = summary_sums(segments(params), "q", dims)
    empty = dict.fromkeys(("tickets", "score_n", "response_time_n", "solution_n", "team_n"), 0)
    total = sums.get(("all", ""), {**empty, "distribution": []})
    parts = {"totals": score_row(total)}
    if not with_rows:
        return parts
    days = summary_days(params.start, params.end, "q")
    parts["days"] = {day: score_row(row) for day, row in days.items()}
    counts = total["distribution"] or [0] * 15
    parts["distribution"] = {
        q: {str(n): counts[i * 5 + n - 1] for n in range(1, 6)}
        for i, q in enumerate(("response_time", "solution", "team"))
    }
    for dim, model, field in (("agent", User, "email"), ("category", Category, "name")):
        keys = [k for d, k in sums if d == dim and k]
        names = dict(model.objects.filter(pk__in=keys).values_list("pk", field))
        rows = [
            (names.get(uuid.UUID(key)) if key else None, score_row(row))
            for (d, key), row in sums.items()
            if d == dim
        ]
        rows.sort(key=lambda pair: (pair[0] is None, pair[0] or ""))
        parts[dim] = rows
    return parts
