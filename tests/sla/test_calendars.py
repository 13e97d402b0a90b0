from datetime import UTC, datetime

from automation.context import business_hours_now
from sla.models import SlaProfile
from tests.factories import CustomerFactory, TicketFactory


def test_business_hours_now_follows_the_tickets_profile(tenant):
    SlaProfile.objects.update(is_default=False)
    SlaProfile.objects.create(
        name="Berlin office",
        first_response_time=60,
        resolution_time=480,
        is_default=True,
        business_hours={
            "timezone": "Europe/Berlin",
            **{
                day: {"start": "09:00", "end": "17:00", "enabled": True}
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
        },
    )
    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)
    ticket.refresh_from_db()
    monday_10_berlin = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert business_hours_now(ticket, monday_10_berlin) is True
    assert business_hours_now(ticket, saturday) is False
