"""The desk's home (/desk/): my work, the team's load, support statistics, SLA rates.

Every tile says what it counts and opens the queue of exactly those tickets; every bar of a
chart opens the queue of its tickets. Statistics cover a date range (tickets created in it,
in the agent's time zone's days; the last 30 days unless the agent picks another).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from desk.charts import bar_chart
from desk.queues import OPEN, created_range_q
from desk.views.base import desk_view, sidebar_context
from sla.selectors import ticket_sla_breached_q
from sla.stats import sla_stats
from tickets.models import OPEN_STATUSES, Priority, Status, Ticket
from tickets.stats import support_stats

STATS_CACHE_SECONDS = 60
PRIORITY_COLORS = {"LOW": "#64748b", "MEDIUM": "#2563eb", "HIGH": "#d97706", "URGENT": "#dc2626"}
RANGE_PRESETS = (7, 30, 90, 365)
DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict:
        return {"created_after": self.start.isoformat(), "created_before": self.end.isoformat()}


def date_range_from(request) -> DateRange:
    """The range the agent picked (`?days=7`, or `?from=...&to=...`), else the last 30 days;
    nonsense falls back to the default instead of failing."""
    today = timezone.localdate()
    try:
        days = int(request.GET.get("days") or 0)
    except ValueError:
        days = 0
    if days in RANGE_PRESETS:
        return DateRange(today - timedelta(days=days - 1), today)
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
        end = date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError:
        return DateRange(today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today)
    if start > end:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_RANGE_DAYS), date(1900, 1, 1))
    return DateRange(start, end)


def queue_link(**filters) -> str:
    """The search page filtered like a tile or a bar (lists become repeated parameters)."""
    return f"{reverse('desk:search')}?{urlencode({'filter': 1, **filters}, doseq=True)}"


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


def _tiles(counts: dict) -> list[dict]:
    tiles = [
        {
            "key": "my_open",
            "label": _("My open tickets"),
            "help": _("Assigned to you and not resolved yet"),
            "url": reverse("desk:queue", args=["mine"]),
        },
        {
            "key": "my_overdue",
            "label": _("My overdue"),
            "help": _("Assigned to you, open, with a breached SLA target"),
            "url": queue_link(assignee="me", status=OPEN, sla="breached"),
            "bad": True,
        },
        {
            "key": "unassigned",
            "label": _("Unassigned"),
            "help": _("Open tickets nobody owns yet"),
            "url": reverse("desk:queue", args=["unassigned"]),
        },
        {
            "key": "open",
            "label": _("Open (team)"),
            "help": _("Every open ticket you can see, whoever owns it"),
            "url": reverse("desk:queue", args=["open"]),
        },
        {
            "key": "overdue",
            "label": _("Overdue (team)"),
            "help": _("Open tickets with a breached SLA target, whoever owns them"),
            "url": queue_link(status=OPEN, sla="breached"),
            "bad": True,
        },
    ]
    return [{**tile, "value": counts[tile["key"]]} for tile in tiles]


def _team_load(user) -> tuple[dict, dict]:
    rows = (
        Ticket.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .values("assignee_id", "assignee__name", "assignee__email")
        .annotate(n=Count("pk"))
        .order_by("-n")[:12]
    )
    data, links = {}, {}
    for row in rows:
        # Names, never addresses; an agent without a name shows the part before the @.
        label = row["assignee__name"] or (row["assignee__email"] or "").split("@")[0]
        label = label or _("Unassigned")
        data[label] = row["n"]
        links[label] = queue_link(assignee=str(row["assignee_id"] or "none"), status=OPEN)
    return data, links


def _by_category(period: DateRange) -> list[dict]:
    rows = (
        Ticket.objects.filter(created_range_q(*period.params().values()), merged_into__isnull=True)
        .values("category_id", "category__name", "category__color")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")[:8]
    )
    return list(rows)


def _cached(key: str, compute):
    """Tenant-wide aggregates over every ticket: computed once a minute at most (cache keys
    are tenant-prefixed)."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, STATS_CACHE_SECONDS)
    return found


def _charts(request, counts: dict, period: DateRange, stats: dict, sla: dict) -> list:
    status_labels = dict(Status.choices)
    priority_labels = dict(Priority.choices)
    load, load_links = _team_load(request.user)
    open_by_status = {str(status_labels[s]): counts[f"s_{s}"] for s in OPEN_STATUSES}
    by_priority = {str(priority_labels[k]): v for k, v in stats["tickets_by_priority"].items()}
    categories = _cached(
        f"desk:dashboard:categories:{timezone.get_current_timezone_name()}:{period.start}:{period.end}",
        lambda: _by_category(period),
    )
    uncategorized = _("Uncategorized")
    by_category = {(row["category__name"] or uncategorized): row["n"] for row in categories}
    in_range = period.params()
    return [
        bar_chart(
            _("Open tickets by status"),
            open_by_status,
            links={str(status_labels[s]): queue_link(status=s) for s in OPEN_STATUSES},
        ),
        bar_chart(_("Team load (open tickets)"), load, links=load_links),
        bar_chart(
            _("Tickets created in the range, by priority"),
            by_priority,
            colors={str(priority_labels[k]): c for k, c in PRIORITY_COLORS.items()},
            links={str(label): queue_link(priority=k, **in_range) for k, label in Priority.choices},
        ),
        bar_chart(
            _("Tickets created in the range, by category"),
            by_category,
            colors={
                (row["category__name"] or uncategorized): row["category__color"] or "#64748b"
                for row in categories
            },
            links={
                (row["category__name"] or uncategorized): queue_link(
                    category=str(row["category_id"] or "none"), **in_range
                )
                for row in categories
            },
        ),
        bar_chart(
            _("SLA met, tickets created in the range"),
            {
                _("First response"): sla["first_response_sla_rate"] or 0,
                _("Resolution"): sla["resolution_sla_rate"] or 0,
            },
            unit="%",
        ),
    ]


@require_GET
@desk_view
def dashboard(request):
    counts = _my_counts(request.user)
    period = date_range_from(request)
    stats = _cached(
        f"desk:support_stats:{period.start}:{period.end}",
        lambda: support_stats(start=period.start, end=period.end),
    )
    sla = _cached(
        f"desk:sla_rates:{period.start}:{period.end}",
        lambda: sla_stats(start=period.start, end=period.end),
    )
    context = {
        "counts": counts,
        "tiles": _tiles(counts),
        "stats": stats,
        "sla_rates": sla,
        "charts": _charts(request, counts, period, stats, sla),
        "period": period,
        "presets": RANGE_PRESETS,
        "range_queue": queue_link(**period.params()),
        **sidebar_context(request, counts=False, active="dashboard"),
    }
    return render(request, "desk/dashboard.html", context)
