"""SLA statistics (GET /api/v1/stats/sla/)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q

from sla.models import TicketSLA


def _rate(met: int, total: int) -> float | None:
    return None if not total else round(100 * met / total, 1)


def sla_stats(*, start: date | None = None, end: date | None = None) -> dict:
    """Outcomes of tickets created in [start, end] (whole UTC days), merged tickets excluded.

    A rate counts the tickets whose target has an outcome (met, or breached); tickets still
    running and never-breached do not count yet. At-risk tickets are the open ones with a
    running target flagged at risk and not breached.
    """
    states = TicketSLA.objects.filter(ticket__merged_into__isnull=True)
    if start:
        states = states.filter(ticket__created_at__gte=datetime.combine(start, time.min, UTC))
    if end:
        states = states.filter(
            ticket__created_at__lt=datetime.combine(end + timedelta(days=1), time.min, UTC)
        )
    first_met = Q(first_response_due_at__isnull=False, first_responded_at__isnull=False)
    resolved_met = Q(resolution_due_at__isnull=False, resolved_at__isnull=False)
    at_risk = Q(is_closed=False) & (
        Q(first_response_at_risk=True, first_response_breached=False, first_responded_at=None)
        | Q(
            next_response_at_risk=True,
            next_response_breached=False,
            next_response_started_at__isnull=False,
        )
        | Q(resolution_at_risk=True, resolution_breached=False, resolved_at=None)
    )
    totals = states.aggregate(
        first_total=Count("pk", filter=first_met | Q(first_response_breached=True)),
        first_ok=Count("pk", filter=first_met & Q(first_response_breached=False)),
        resolution_total=Count("pk", filter=resolved_met | Q(resolution_breached=True)),
        resolution_ok=Count("pk", filter=resolved_met & Q(resolution_breached=False)),
        breached=Count(
            "pk",
            filter=Q(first_response_breached=True)
            | Q(resolution_breached=True)
            | Q(next_response_breached=True)
            | Q(next_response_breach_count__gt=0),
        ),
        at_risk=Count("pk", filter=at_risk),
    )
    return {
        "first_response_sla_rate": _rate(totals["first_ok"], totals["first_total"]),
        "resolution_sla_rate": _rate(totals["resolution_ok"], totals["resolution_total"]),
        "breached_tickets": totals["breached"],
        "at_risk_tickets": totals["at_risk"],
    }
