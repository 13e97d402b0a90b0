"""Agent, satisfaction and knowledge-base reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncDate

from knowledgebase.models import SearchRecord, SearchSource
from panel1.accounts.models import User
from reports.aggregates import median
from reports.figures import summarised
from reports.figures.common import bucket, buckets, facts, r1, r2
from reports.models import AgentDay
from reports.params import ReportParams
from tickets.models import OPEN_STATUSES, SatisfactionRating, Ticket

# --- agents ---------------------------------------------------------------------------------

AGENT_COLUMNS = (
    "agent",
    "email",
    "name",
    "solved",
    "replies",
    "first_response_median",
    "resolution_median",
    "reopen_rate",
    "satisfaction",
    "time_spent",
    "open_tickets",
)
AGENT_FIGURES = {
    "solved": Count("pk"),
    "reopened": Count("pk", filter=Q(reopens__gt=0)),
    "first_response_median": median("first_response_minutes"),
    "resolution_median": median("resolution_minutes"),
    "satisfaction": Avg("rating_score"),
}


def _reopen_rate(reopened: int, solved: int) -> float | None:
    return None if not solved else round(100 * reopened / solved, 1)


def _activity(params: ReportParams) -> tuple:
    """Per assignee and overall: figures of the tickets solved in the period; per staff user:
    replies and tracked minutes in the period; per assignee: open tickets now."""
    if summarised.summarised(params):
        by_agent, overall = summarised.agent_figures(params)
    else:
        solved = facts(params, on="resolved_on").filter(assignee__isnull=False)
        by_agent = {
            r.pop("assignee_id"): r for r in solved.values("assignee_id").annotate(**AGENT_FIGURES)
        }
        overall = solved.aggregate(**AGENT_FIGURES)
    days = AgentDay.objects.filter(day__gte=params.start, day__lte=params.end)
    if params.agents:
        days = days.filter(agent_id__in=params.agents)
    work = {
        r["agent_id"]: r
        for r in days.values("agent_id").annotate(replies=Sum("replies"), minutes=Sum("time_spent"))
    }
    return by_agent, overall, work, _open_load(params)


def _open_load(params: ReportParams) -> dict:
    """Open tickets per assignee now: the same for a period and its previous one, so read once
    per report (kept in the params' `extra`, which the previous period shares)."""
    if "open_load" not in params.extra:
        open_now = Ticket.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        if params.agents:
            open_now = open_now.filter(assignee_id__in=params.agents)
        params.extra["open_load"] = dict(
            open_now.values("assignee_id").annotate(n=Count("pk")).values_list("assignee_id", "n")
        )
    return params.extra["open_load"]


def agents(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    by_agent, overall, work, load = _activity(params)
    ids = set(by_agent) | set(work) | set(load) | set(params.agents if params.own_only else ())
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "email", "name")}
    rows = []
    for pk in sorted(people, key=lambda pk: people[pk].email):
        figures, activity = by_agent.get(pk, {}), work.get(pk, {})
        rows.append(
            {
                "agent": str(pk),
                "email": people[pk].email,
                "name": people[pk].name,
                "solved": figures.get("solved", 0),
                "replies": activity.get("replies", 0),
                "first_response_median": r1(figures.get("first_response_median")),
                "resolution_median": r1(figures.get("resolution_median")),
                "reopen_rate": _reopen_rate(figures.get("reopened", 0), figures.get("solved", 0)),
                "satisfaction": r2(figures.get("satisfaction")),
                "time_spent": activity.get("minutes", 0),
                "open_tickets": load.get(pk, 0),
            }
        )
    totals = {
        "solved": overall["solved"],
        "replies": sum(r["replies"] for r in rows),
        "first_response_median": r1(overall["first_response_median"]),
        "resolution_median": r1(overall["resolution_median"]),
        "reopen_rate": _reopen_rate(overall["reopened"], overall["solved"]),
        "satisfaction": r2(overall["satisfaction"]),
        "time_spent": sum(r["time_spent"] for r in rows),
        "open_tickets": sum(load.values()),
    }
    return (rows if with_rows else []), totals


# --- satisfaction ---------------------------------------------------------------------------

QUESTIONS = ("response_time", "solution", "team")
SATISFACTION_COLUMNS = ("date", "responses", "score", *QUESTIONS)
SCORE_FIGURES = {
    "responses": Count("pk"),
    "score": Avg("rating_score"),
    "response_time": Avg("rating_response_time"),
    "solution": Avg("rating_solution"),
    "team": Avg("rating_team"),
}
COMMENT_LIMIT = 20


def _scores(row: dict) -> dict:
    return {
        "responses": row.get("responses") or 0,
        **{k: r2(row.get(k)) for k in SATISFACTION_COLUMNS[2:]},
    }


def _distribution(rated) -> dict[str, dict[str, int]]:
    counts = {
        f"{q}_{n}": Count("pk", filter=Q(**{f"rating_{q}": n}))
        for q in QUESTIONS
        for n in range(1, 6)
    }
    found = rated.aggregate(**counts)
    return {q: {str(n): found[f"{q}_{n}"] for n in range(1, 6)} for q in QUESTIONS}


def _score_groups(rated, field: str, label: str) -> list[dict]:
    rows = rated.values(field).annotate(**SCORE_FIGURES).order_by(field)
    return [{label: row[field] or "none", **_scores(row)} for row in rows]


def _comments(rated) -> list[dict]:
    ids = rated.values("pk")
    comments = (
        SatisfactionRating.objects.filter(ticket_id__in=ids)
        .exclude(comment="")
        .select_related("ticket")
        .order_by("-updated_at")[:COMMENT_LIMIT]
    )
    return [
        {"ticket": c.ticket.number, "score": c.score, "comment": c.comment,
         "rated_at": c.updated_at}
        for c in comments
    ]  # fmt: skip


def _satisfaction_summarised(params: ReportParams, *, with_rows: bool) -> tuple[list, dict]:
    parts = summarised.satisfaction(params, with_rows=with_rows)
    totals = _scores(parts["totals"])
    if not with_rows:
        return [], totals
    per_bucket: dict[dt.date, list] = defaultdict(list)
    for day, row in parts["days"].items():
        per_bucket[bucket(day, params.interval)].append(row)
    rows = [{"date": day, **_merge_scores(per_bucket.get(day, []))} for day in buckets(params)]
    totals["distribution"] = parts["distribution"]
    for dim, label in (("agent", "by_agent"), ("category", "by_category")):
        totals[label] = [{dim: name or "none", **_scores(row)} for name, row in parts[dim]]
    totals["comments"] = _recent_comments(params)
    return rows, totals


def _recent_comments(params: ReportParams) -> list[dict]:
    """The latest comments rated in the period (the rating's stamp index; no filters)."""
    low = dt.datetime.combine(params.start, dt.time.min, tzinfo=params.zone)
    high = dt.datetime.combine(params.end + dt.timedelta(days=1), dt.time.min, tzinfo=params.zone)
    comments = (
        SatisfactionRating.objects.filter(
            updated_at__gte=low, updated_at__lt=high, ticket__merged_into__isnull=True
        )
        .exclude(comment="")
        .select_related("ticket")
        .order_by("-updated_at")[:COMMENT_LIMIT]
    )
    return [
        {"ticket": c.ticket.number, "score": c.score, "comment": c.comment,
         "rated_at": c.updated_at}
        for c in comments
    ]  # fmt: skip


def satisfaction(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    if summarised.summarised(params):
        return _satisfaction_summarised(params, with_rows=with_rows)
    rated = facts(params, on="rated_on").filter(rating_score__isnull=False)
    totals = _scores(rated.aggregate(**SCORE_FIGURES))
    if not with_rows:
        return [], totals
    per_bucket: dict[dt.date, list] = defaultdict(list)
    for row in rated.values("rated_on").annotate(**SCORE_FIGURES):
        per_bucket[bucket(row["rated_on"], params.interval)].append(row)
    rows = [{"date": day, **_merge_scores(per_bucket.get(day, []))} for day in buckets(params)]
    totals["distribution"] = _distribution(rated)
    totals["by_agent"] = _score_groups(rated, "assignee__email", "agent")
    totals["by_category"] = _score_groups(rated, "category__name", "category")
    totals["comments"] = _comments(rated)
    return rows, totals


def _merge_scores(parts: list[dict]) -> dict:
    """Weighted means of per-day means (a week bucket joins up to seven days)."""
    responses = sum(p["responses"] for p in parts)
    merged = {"responses": responses}
    for key in SATISFACTION_COLUMNS[2:]:
        weighted = [(p[key], p["responses"]) for p in parts if p[key] is not None]
        weight = sum(w for _, w in weighted)
        merged[key] = r2(sum(v * w for v, w in weighted) / weight) if weight else None
    return merged


# --- knowledge base -------------------------------------------------------------------------

KB_COLUMNS = (
    "date",
    "searches",
    "zero_result_searches",
    "articles_opened",
    "tickets_filed",
    "suggestions_shown",
    "deflected",
)
KB_FIGURES = {
    "searches": Count("pk"),
    "zero_result_searches": Count("pk", filter=Q(result_count=0)),
    "articles_opened": Count("pk", filter=Q(article_opened_at__isnull=False)),
    "tickets_filed": Count("pk", filter=Q(ticket_filed_at__isnull=False)),
    # The portal's new-ticket form searches as the customer types (source PORTAL): shown
    # suggestions, and the form then abandoned (no ticket filed), is a deflection.
    "suggestions_shown": Count("pk", filter=Q(source=SearchSource.PORTAL, result_count__gt=0)),
    "deflected": Count(
        "pk",
        filter=Q(source=SearchSource.PORTAL, result_count__gt=0, ticket_filed_at__isnull=True),
    ),
}


def _kb_searches(params: ReportParams):
    low = dt.datetime.combine(params.start, dt.time.min, tzinfo=params.zone)
    high = dt.datetime.combine(params.end + dt.timedelta(days=1), dt.time.min, tzinfo=params.zone)
    return SearchRecord.objects.filter(created_at__gte=low, created_at__lt=high).order_by()


def knowledge_base(params: ReportParams, *, with_rows: bool = True) -> tuple[list, dict]:
    """Search figures (ticket filters do not apply to searches)."""
    searches = _kb_searches(params)
    totals = searches.aggregate(**KB_FIGURES)
    shown = totals["suggestions_shown"]
    totals["deflection_rate"] = None if not shown else round(100 * totals["deflected"] / shown, 1)
    if not with_rows:
        return [], totals
    per_bucket = {day: {"date": day, **dict.fromkeys(KB_COLUMNS[1:], 0)} for day in buckets(params)}
    daily = searches.annotate(day=TruncDate("created_at", tzinfo=params.zone))
    for row in daily.values("day").annotate(**KB_FIGURES):
        target = per_bucket.get(bucket(row["day"], params.interval))
        if target is not None:
            for key in KB_COLUMNS[1:]:
                target[key] += row[key]
    zero = (
        searches.filter(result_count=0)
        .values("normalized_query")
        .annotate(n=Count("pk"))
        .order_by("-n", "normalized_query")[:10]
    )
    totals["top_zero_result_queries"] = [
        {"query": z["normalized_query"], "count": z["n"]} for z in zero
    ]
    return list(per_bucket.values()), totals
