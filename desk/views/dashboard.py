"""The desk's home (/desk/): my work, the team's load, support statistics, SLA rates."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from desk.charts import bar_chart
from desk.views.base import desk_view, sidebar_context
from sla.selectors import ticket_sla_breached_q
from sla.stats import sla_stats
from tickets.models import OPEN_STATUSES, Priority, Status, Ticket
from tickets.stats import support_stats

STATS_CACHE_SECONDS = 60
PRIORITY_COLORS = {"Low": "#64748b", "Medium": "#2563eb", "High": "#d97706", "Urgent": "#dc2626"}


def _my_counts(user) -> dict:
    mine = Q(assignee=user)
    counts = {
        "my_open": Count("pk", filter=mine),
        "my_overdue": Count("pk", filter=mine & ticket_sla_breached_q()),
        "unassigned": Count("pk", filter=Q(assignee__isnull=True)),
        "overdue": Count("pk", filter=ticket_sla_breached_q()),
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
    are tenant-prefixed)."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, STATS_CACHE_SECONDS)
    return found


@require_GET
@desk_view
def dashboard(request):
    now = request.desk_now
    counts = _my_counts(request.user)
    stats = _cached("desk:support_stats", support_stats)
    priority_labels = dict(Priority.choices)
    by_priority = {str(priority_labels[k]): v for k, v in stats["tickets_by_priority"].items()}
    by_category = dict(sorted(stats["tickets_by_category"].items(), key=lambda kv: -kv[1])[:8])
    status_labels = dict(Status.choices)
    open_by_status = {str(status_labels[s]): counts[f"s_{s}"] for s in OPEN_STATUSES}
    sla = _cached(
        f"desk:sla_rates:{now.date()}",
        lambda: sla_stats(start=(now - timedelta(days=30)).date(), end=now.date()),
    )
    charts = [
        bar_chart("Open tickets by status", open_by_status),
        bar_chart("Team load (open tickets)", _team_load(request.user)),
        bar_chart("All tickets by priority", by_priority, colors=PRIORITY_COLORS),
        bar_chart("All tickets by category", by_category),
        bar_chart(
            "SLA met, last 30 days",
            {
                "First response": sla["first_response_sla_rate"] or 0,
                "Resolution": sla["resolution_sla_rate"] or 0,
            },
            unit="%",
        ),
    ]
    context = {
        "counts": counts,
        "stats": stats,
        "sla_rates": sla,
        "charts": charts,
        **sidebar_context(request, counts=False, active="dashboard"),
    }
    return render(request, "desk/dashboard.html", context)
