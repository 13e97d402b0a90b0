"""The business calendar a ticket is served on (used by automation's `business_hours_now`)."""

from __future__ import annotations

from datetime import datetime

from sla import clock
from sla.models import SlaProfile
from sla.services.states import calendar_for


def ticket_calendar(ticket) -> clock.BusinessCalendar | None:
    """The calendar of the ticket's SLA profile, else of the default profile."""
    state = getattr(ticket, "sla_state", None)
    profile = getattr(state, "profile", None) if state is not None else None
    if profile is None:
        profile = SlaProfile.objects.filter(is_default=True).first()
    return calendar_for(profile) if profile is not None else None


def ticket_in_business_hours(ticket, now: datetime) -> bool:
    calendar = ticket_calendar(ticket)
    return True if calendar is None else clock.is_business_time(calendar, now)
