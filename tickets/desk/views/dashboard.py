"""The desk's home (/desk/): my work, the team's load, support statistics, SLA rates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tickets.desk import bridges
from tickets.desk.charts import bar_chart
from tickets.desk.views.base import desk_view, sidebar_context
from tickets.models import OPEN_STATUSES, Priority, Status, Ticket
from tickets.stats import support_stats

STATS_CACHE_SECONDS = 60
PRIORITY_COLORS = {"Low": "#64748b", "Medium": "#2563eb", "High": "#d97706", "Urgent": "#dc2626"}


def _overdue_q(now) -> Q:
    sla = bridges.sla_q(["breached"], now)
    if sla is not None:
        return sla
    return bridges.overdue_fallback_q(
        now,
        first_response_minutes=settings.DEFAULT_FIRST_RESPONSE_TIME,
        resolution_minutes=settings.DEFAULT_RESOLUTION_TIME,
    )


def _my_counts(user, now) -> dict:
    mine = Q(assignee=user)
    counts = {
        "my_open": Count("pk", filter=mine),
        "my_overdue": Count("pk", filter=mine & _overdue_q(now)),
        "unassigned": Count("pk", filter=Q(assignee__isnull=True)),
        "overdue": Count("pk", filter=_overdue_q(now)),
        "open": Count("pk"),
    }
    for status in OPEN_STATUSES:
        counts[f"s_{status}"] = Count("pk", filter=Q(status=status))
    return Ticket.objects.visible_to(user).filter(status__in=OPEN_STATUSES).aggregate(**counts)


def _team_load(user) -> dict:
    rows = (
        Ticket.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .values("assignee__name", "assignee__email")
        .annotate(n=Count("pk"))
        .order_by("-n")[:12]
    )
    return {(r["assignee__name"] or r["assignee__email"] or "Unassigned"): r["n"] for r in rows}


def _cached(key: str, compute):
    """Tenant-wide aggregates over every ticket: computed once a minute at most (cache keys
    are tenant-prefixed). A miss is stored as a marker too, so "no SLA app" is remembered."""
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, STATS_CACHE_SECONDS)
    return found


_MISSING = object()


@require_GET
@desk_view
def dashboard(request):
    now = request.desk_now
    counts = _my_counts(request.user, now)
    stats = _cached("desk:support_stats", support_stats)
    priority_labels = dict(Priority.choices)
    by_priority = {str(priority_labels[k]): v for k, v in stats["tickets_by_priority"].items()}
    by_category = dict(sorted(stats["tickets_by_category"].items(), key=lambda kv: -kv[1])[:8])
    status_labels = dict(Status.choices)
    open_by_status = {str(status_labels[s]): counts[f"s_{s}"] for s in OPEN_STATUSES}
    sla = _cached(
        f"desk:sla_rates:{now.date()}",
        lambda: bridges.sla_rates(start=(now - timedelta(days=30)).date(), end=now.date()),
    )
    charts = [
        bar_chart("Open tickets by status", open_by_status),
        bar_chart("Team load (open tickets)", _team_load(request.user)),
        bar_chart("All tickets by priority", by_priority, colors=PRIORITY_COLORS),
        bar_chart("All tickets by category", by_category),
    ]
    if sla:
        charts.append(
            bar_chart(
                "SLA met, last 30 days",
                {
                    "First response": sla.get("first_response_sla_rate") or 0,
                    "Resolution": sla.get("resolution_sla_rate") or 0,
                },
                unit="%",
            )
        )
    context = {
        "counts": counts,
        "stats": stats,
        "sla_rates": sla,
        "charts": charts,
        **sidebar_context(request, counts=False, active="dashboard"),
    }
    return render(request, "desk/dashboard.html", context)
