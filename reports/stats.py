"""Business-minute figures for `GET /api/v1/stats/support/`.

`tickets.stats.support_stats` measures wall-clock minutes from the ticket rows; business
minutes need each ticket's SLA calendar and pauses, which the analytics job has already
measured into the report facts. So these averages cover the same tickets (created in the
whole UTC days asked, merged ones left out) as of the job's last pass (every 5 minutes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Avg, Count

from reports.models import RollupState, TicketFact


def _facts(start: date | None, end: date | None):
    facts = TicketFact.objects.filter(is_merged=False)
    if start:
        facts = facts.filter(ticket__created_at__gte=datetime.combine(start, time.min, tzinfo=UTC))
    if end:
        facts = facts.filter(
            ticket__created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
        )
    return facts.order_by()


def _minutes(value) -> float | None:
    return None if value is None else round(float(value), 1)


def business_time_stats(*, start: date | None = None, end: date | None = None) -> dict:
    """Average first response and resolution in business minutes (the ticket's SLA calendar,
    SLA pauses taken out), and when the analytics job last measured them."""
    found = _facts(start, end).aggregate(
        first_response=Avg("first_response_business_minutes"),
        resolution=Avg("resolution_business_minutes"),
        measured=Count("pk"),
    )
    state = RollupState.objects.filter(pk=1).values_list("last_run_at", flat=True).first()
    return {
        "average_first_response_business_time": _minutes(found["first_response"]),
        "average_resolution_business_time": _minutes(found["resolution"]),
        "business_time_tickets": found["measured"],
        "business_times_as_of": state,
    }
