"""SLA shown right: due times in the agent's zone with the zone named, the calendar's zone on
hover, the computation as sentences, profile reassignments worded as such."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from desk import sla_status
from desk.timeline import profile_reassignment
from sla.services import sla_profile_delete
from tests.factories.sla import BusinessHoursProfileFactory, ticket_started_at

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
# Friday 4 December 2026, 16:30 in Berlin.
FRIDAY_1630 = dt.datetime(2026, 12, 4, 16, 30, tzinfo=BERLIN)


@pytest.fixture
def berlin_ticket(customer):
    BusinessHoursProfileFactory(name="Office", is_default=True, first_response_time=240)
    return ticket_started_at(FRIDAY_1630, requester=customer, subject="Late Friday")


def test_the_explanation_reads_as_sentences_in_the_calendars_zone(berlin_ticket):
    lines = sla_status.sla_explanation(berlin_ticket)

    assert lines[0] == "SLA profile “Office”; business hours Mon-Fri 09:00-17:00 Europe/Berlin."
    assert "Created Friday 16:30, so the 4-hour first response is due Monday 12:30." in lines
    assert not any("{" in line or "profile_id" in line for line in lines)


def test_due_times_are_in_the_agents_zone_with_the_calendar_zone_on_hover(
    tenant_client, agent, berlin_ticket, django_assert_max_num_queries
):
    agent.timezone = "America/New_York"
    agent.save(update_fields=["timezone"])
    client = tenant_client(agent)

    page = client.get(f"/desk/tickets/{berlin_ticket.number}/").content.decode()

    # 30 minutes on Friday, 3.5 hours on Monday: 12:30 in Berlin, 06:30 in New York.
    assert "Mon 7 Dec, 06:30 EST" in page
    assert 'title="Mon 7 Dec 2026, 12:30 Europe/Berlin"' in page
    assert "Times in your time zone, America/New_York." in page
    assert "Hover a time to see it in the SLA calendar's zone, Europe/Berlin." in page
    assert "Created Friday 16:30, so the 4-hour first response is due Monday 12:30." in page


def test_an_agent_without_a_zone_gets_the_tenants_default(tenant_client, agent, berlin_ticket):
    page = tenant_client(agent).get(f"/desk/tickets/{berlin_ticket.number}/").content.decode()
    assert "Times in your time zone, UTC." in page
    assert "Mon 7 Dec, 11:30 UTC" in page


def testprofile_reassignment_is_worded_as_such(berlin_ticket, supervisor, tenant_client):
    office = berlin_ticket.sla_state.profile
    BusinessHoursProfileFactory(name="Fallback", is_default=True)
    sla_profile_delete(profile=office, actor=supervisor)

    page = tenant_client(supervisor).get(f"/desk/tickets/{berlin_ticket.number}/")

    text = page.content.decode()
    assert "SLA profile “Office” was deleted; the ticket now uses “Fallback”" in text
    assert "Profile &#x27;Office&#x27; deleted" not in text


def test_rematch_reasons_name_the_new_profile():
    reason = "Priority changed: Profile 'Urgent' applies because priority is Urgent (24x7 UTC; x)."
    assert profile_reassignment(reason) == (
        "SLA profile changed to “Urgent” (priority changed: priority is Urgent)"
    )
    assert profile_reassignment("Status changed") is None
