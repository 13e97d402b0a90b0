"""`GET /api/v1/stats/support/`: the wall-clock contract plus business-minute averages."""

from __future__ import annotations

import datetime as dt

from sla.models import TicketSLA
from tests.factories.sla import SlaProfileFactory
from tests.reports.conftest import DAY, at

URL = "/api/v1/stats/support/"
D1 = DAY + dt.timedelta(days=1)
OFFICE_HOURS = {
    "timezone": "UTC",
    **{
        d: {"start": "09:00", "end": "17:00", "enabled": True}
        for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
}


def test_business_minutes_use_the_ticket_calendar_without_pauses(
    api_client, make_ticket, agent, supervisor, refresh
):
    office = SlaProfileFactory(name="Office", business_hours=OFFICE_HOURS)
    # Monday 16:00 -> Tuesday 10:00 first response (18 wall hours, 2 business hours);
    # resolved Tuesday 12:00 with a paused hour 11:00-12:00: 1200 wall, 180 business minutes.
    slow = make_ticket(created=at(DAY, 16), first=at(D1, 10), resolved=at(D1, 12), assignee=agent)
    pause = {"start": at(D1, 11).isoformat(), "end": at(D1, 12).isoformat(), "reason": "WAITING"}
    TicketSLA.objects.filter(ticket=slow).update(profile=office, pauses=[pause])
    # Around the clock (the default profile): 60 business = 60 wall minutes to respond.
    make_ticket(created=at(DAY, 9), first=at(DAY, 10), assignee=agent)
    refresh()

    body = api_client(supervisor).get(URL, {"start": "2026-03-02", "end": "2026-03-03"}).json()

    assert body["total_tickets"] == 2
    assert body["average_first_response_time"] == (1080 + 60) / 2  # wall clock, unchanged
    assert body["average_first_response_business_time"] == (120 + 60) / 2
    assert body["average_resolution_time"] == 1200.0
    assert body["average_resolution_business_time"] == 180.0
    assert body["business_time_tickets"] == 2
    assert body["business_times_as_of"] is not None


def test_range_applies_and_nothing_measured_is_null(api_client, make_ticket, agent, supervisor):
    make_ticket(created=at(DAY, 9), first=at(DAY, 10), assignee=agent)
    # No analytics pass yet: the wall figures are there, the business ones are null.
    body = api_client(supervisor).get(URL).json()
    assert body["average_first_response_time"] == 60.0
    assert body["average_first_response_business_time"] is None
    assert body["business_time_tickets"] == 0
    assert body["business_times_as_of"] is None
    later = api_client(supervisor).get(URL, {"start": "2026-03-05"}).json()
    assert later["total_tickets"] == 0 and later["average_resolution_business_time"] is None


def test_bad_input_and_roles(api_client, customer, agent):
    assert api_client(customer).get(URL).status_code == 403
    bad = api_client(agent).get(URL, {"start": "2026-03-05", "end": "2026-03-01"})
    assert bad.status_code == 400 and "end" in bad.json()
    assert api_client(agent).get(URL, {"start": "2026-13-01"}).status_code == 400


def test_schema_documents_the_business_fields(api_client, supervisor):
    schema = api_client(supervisor).get("/api/v1/schema/?format=json").json()
    fields = schema["components"]["schemas"]["SupportStats"]["properties"]
    assert {"average_first_response_business_time", "average_resolution_business_time"} <= set(
        fields
    )
    assert "total_tickets" in fields
