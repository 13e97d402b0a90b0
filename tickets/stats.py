"""Support statistics (GET /api/v1/stats/support/)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import Cast, Coalesce

from tickets.models import Priority, SatisfactionRating, Status, Ticket


def _range(start: date | None, end: date | None) -> Q:
    condition = Q()
    if start:
        condition &= Q(created_at__gte=datetime.combine(start, time.min, tzinfo=UTC))
    if end:
        condition &= Q(
            created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
        )
    return condition


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def support_stats(*, start: date | None = None, end: date | None = None) -> dict:
    """Counts and averages over tickets created in [start, end] (whole UTC days)."""
    tickets = Ticket.objects.filter(_range(start, end), merged_into__isnull=True)
    totals = tickets.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        first_response=Avg(
            ExpressionWrapper(
                F("first_responded_at") - F("created_at"), output_field=DurationField()
            ),
            filter=Q(first_responded_at__isnull=False),
        ),
        resolution=Avg(
            ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
            filter=Q(resolved_at__isnull=False),
        ),
    )
    by_priority = {p: 0 for p in Priority.values}
    for row in tickets.values("priority").annotate(n=Count("pk")).order_by():
        by_priority[row["priority"]] = row["n"]
    by_category = {
        (row["category__name"] or "Uncategorized"): row["n"]
        for row in tickets.values("category__name")
        .annotate(n=Count("pk"))
        .order_by("category__name")
    }
    # A rating's score is the mean of its answered questions (older rows: the single rating).
    score = SatisfactionRating.objects.filter(ticket__in=tickets.values("pk")).aggregate(
        avg=Avg(Coalesce("score", Cast("rating", FloatField())))
    )["avg"]
    return {
        "total_tickets": totals["total"],
        "open_tickets": totals["open"],
        "in_progress_tickets": totals["in_progress"],
        "average_first_response_time": _minutes(totals["first_response"]),
        "average_resolution_time": _minutes(totals["resolution"]),
        "satisfaction_score": None if score is None else round(float(score), 2),
        "tickets_by_priority": by_priority,
        "tickets_by_category": by_category,
    }
