"""GET /api/v1/stats/sla/: rates over outcomes, breached and at-risk counts, date range."""

import datetime as dt

import pytest

from sla.monitor import sla_monitor_run
from sla.services import ticket_sla_staff_reply, ticket_sla_status_change
from tests.factories import AgentFactory, CustomerFactory
from tests.factories.sla import SlaProfileFactory, ticket_started_at
from tickets.models import Ticket

T0 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)
URL = "/api/v1/stats/sla/"


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def _answer(ticket, at):
    Ticket.objects.filter(pk=ticket.pk).update(first_responded_at=at)
    ticket.refresh_from_db()
    ticket_sla_staff_reply(ticket=ticket, replied_at=at, now=at)


def _resolve(ticket, at):
    ticket_sla_status_change(ticket=ticket, before="IN_PROGRESS", after="RESOLVED", now=at)


@pytest.fixture
def tickets(tenant, settings):
    settings.ENABLE_ESCALATIONS = False
    SlaProfileFactory(name="High", priorities=["HIGH"], first_response_time=60, resolution_time=240)
    on_time, late, at_risk = (ticket_started_at(T0, priority="HIGH") for _ in range(3))
    ticket_started_at(minutes(190), priority="HIGH")  # nothing due yet
    _answer(on_time, minutes(30))
    _resolve(on_time, minutes(100))
    _answer(late, minutes(90))
    _resolve(late, minutes(300))
    _answer(at_risk, minutes(10))
    sla_monitor_run(now=minutes(200))  # at_risk's resolution passes 80 % at 192 minutes
    return on_time, late, at_risk


def test_sla_stats_over_a_date_range(api_client, tickets):
    client = api_client(AgentFactory())
    body = client.get(URL, {"start": "2026-03-06", "end": "2026-03-06"}).json()
    assert body == {
        "first_response_sla_rate": 66.7,
        "resolution_sla_rate": 50.0,
        "breached_tickets": 1,
        "at_risk_tickets": 1,
    }
    assert client.get(URL).json() == body  # no range: all tickets (the rest have no outcome)
    empty = client.get(URL, {"start": "2026-03-07"}).json()
    assert empty == {
        "first_response_sla_rate": None,
        "resolution_sla_rate": None,
        "breached_tickets": 0,
        "at_risk_tickets": 0,
    }


def test_sla_stats_is_staff_only_and_validates_dates(api_client, tenant):
    assert api_client(CustomerFactory()).get(URL).status_code == 403
    assert api_client().get(URL).status_code == 401
    client = api_client(AgentFactory())
    assert client.get(URL, {"start": "yesterday"}).status_code == 400
    bad = client.get(URL, {"start": "2026-03-07", "end": "2026-03-06"})
    assert bad.status_code == 400 and "end" in bad.json()
