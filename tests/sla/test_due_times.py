"""Due times set in the ticket's own transaction, profile matching, recompute, explanation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sla.clock import BusinessCalendar, add_business_minutes
from sla.demo import default_profile_create
from sla.models import SlaProfile, TicketSLA
from sla.services import sla_profile_match
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, TicketFactory
from tests.factories.sla import (
    BERLIN_OFFICE,
    BusinessHoursProfileFactory,
    SlaProfileFactory,
    ticket_started_at,
)
from tickets import services

BERLIN = ZoneInfo("Europe/Berlin")


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def _api_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


@pytest.fixture
def agent(tenant):
    return AgentFactory()


def test_tenant_starts_with_one_default_profile_from_settings(tenant, settings):
    default = SlaProfile.objects.get(is_default=True)
    assert (default.first_response_time, default.resolution_time) == (
        settings.DEFAULT_FIRST_RESPONSE_TIME,
        settings.DEFAULT_RESOLUTION_TIME,
    )
    assert default.business_hours == {}
    assert default_profile_create(tenant=tenant) is False  # idempotent
    assert SlaProfile.objects.filter(is_default=True).count() == 1


def test_create_answer_through_the_api_carries_due_times(api_client, customer):
    response = api_client(customer).post(
        "/api/v1/tickets/", {"subject": "Printer", "content": "Jammed"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    sla, created = body["sla"], _api_time(body["created_at"])
    default = SlaProfile.objects.get(is_default=True)
    assert sla["profile"] == str(default.pk)
    # The default profile runs around the clock: due = created + target, to the microsecond.
    assert _api_time(sla["first_response_due_at"]) == created + dt.timedelta(
        minutes=default.first_response_time
    )
    assert _api_time(sla["resolution_due_at"]) == created + dt.timedelta(
        minutes=default.resolution_time
    )
    assert sla["next_response_due_at"] is None
    assert sla["paused"] is False and sla["first_response_breached"] is False


def test_create_through_the_api_uses_the_matching_business_hours_profile(api_client, customer):
    urgent = BusinessHoursProfileFactory(
        name="Urgent office", priorities=["URGENT"], first_response_time=30
    )
    response = api_client(customer).post(
        "/api/v1/tickets/",
        {"subject": "Down", "content": "All down", "priority": "URGENT"},
        format="json",
    )
    sla, created = response.json()["sla"], _api_time(response.json()["created_at"])
    assert sla["profile"] == str(urgent.pk)
    calendar = BusinessCalendar.from_config(BERLIN_OFFICE)
    assert _api_time(sla["first_response_due_at"]) == add_business_minutes(calendar, created, 30)


@pytest.mark.parametrize(
    ("holidays", "due"),
    [([], "2026-03-09T09:30:00+01:00"), (["2026-03-09"], "2026-03-10T09:30:00+01:00")],
)
def test_friday_afternoon_ticket_is_due_monday_or_after_the_holiday(tenant, holidays, due):
    BusinessHoursProfileFactory(
        name="Office", is_default=True, first_response_time=60, holidays=holidays
    )
    ticket = ticket_started_at(_at("2026-03-06T16:30:00+01:00"))
    assert ticket.sla_state.first_response_due_at == _at(due)


def test_most_specific_profile_wins(tenant):
    billing = CategoryFactory(name="Billing")
    both = SlaProfileFactory(name="Both", priorities=["HIGH"], categories=[billing])
    by_priority = SlaProfileFactory(name="Priority", priorities=["HIGH", "URGENT"])
    by_category = SlaProfileFactory(name="Category", categories=[billing])
    SlaProfileFactory(name="No criteria")  # not the default: applies to nothing
    default = SlaProfile.objects.get(is_default=True)

    def match(priority, category):
        return sla_profile_match(priority=priority, category_id=category)[0]

    assert match("HIGH", billing.pk) == both
    # One criterion each: the narrower profile (one category vs. two priorities) wins the tie.
    assert match("URGENT", billing.pk) == by_category
    assert match("URGENT", None) == by_priority
    assert match("LOW", billing.pk) == by_category
    assert match("LOW", None) == default


def test_priority_change_through_the_api_recomputes_due_times(api_client, agent, customer):
    urgent = SlaProfileFactory(name="Urgent", priorities=["URGENT"], first_response_time=15)
    ticket = TicketFactory(requester=customer)
    before = ticket.sla_state.first_response_due_at
    response = api_client(agent).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"priority": "URGENT"}, format="json"
    )
    sla = response.json()["sla"]
    assert sla["profile"] == str(urgent.pk)
    assert _api_time(sla["first_response_due_at"]) == ticket.created_at + dt.timedelta(minutes=15)
    assert _api_time(sla["first_response_due_at"]) < before
    history = ticket.history.filter(event="sla.due_times").order_by("created_at")
    assert "Priority changed" in history.last().reason


def test_category_change_recomputes_and_met_targets_keep_their_record(tenant, agent, customer):
    billing = CategoryFactory(name="Billing")
    slow = SlaProfileFactory(name="Billing", categories=[billing], resolution_time=10_000)
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="On it")
    first_due = TicketSLA.objects.get(pk=ticket.pk).first_response_due_at
    services.ticket_update(ticket=ticket, actor=agent, category=billing)
    state = TicketSLA.objects.get(pk=ticket.pk)
    assert state.profile == slow
    assert state.resolution_due_at == ticket.created_at + dt.timedelta(minutes=10_000)
    assert state.first_response_due_at == first_due  # met before the change: recorded as is


def test_explanation_shows_profile_calendar_start_target_and_stops(api_client, agent, customer):
    profile = BusinessHoursProfileFactory(
        name="Office", priorities=["HIGH"], holidays=["2026-12-24"]
    )
    ticket = TicketFactory(requester=customer, priority="HIGH")
    services.ticket_status_change(ticket=ticket, actor=agent, status="ON_HOLD")
    services.ticket_status_change(ticket=ticket, actor=agent, status="IN_PROGRESS")
    response = api_client(agent).get(f"/api/v1/sla/tickets/{ticket.number}/explanation/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["profile"] == {"id": str(profile.pk), "name": "Office", "deleted": False}
    calculation = body["calculation"]
    assert calculation["calendar"] == "Mon-Fri 09:00-17:00 Europe/Berlin, 1 holiday"
    first = calculation["targets"]["first_response"]
    assert first["target_minutes"] == 60
    assert _api_time(first["start"]) == ticket.created_at
    assert [stop["reason"] for stop in first["stops"]] == ["ON_HOLD"]
    assert body["status"]["targets"]["first_response"]["state"] == "running"
    assert [entry["event"] for entry in body["log"]] == ["start", "status", "status"]
    history = api_client(agent).get(f"/api/v1/tickets/{ticket.pk}/history/").json()["results"]
    assert any(row["event"] == "sla.due_times" and "Office" in row["reason"] for row in history)


def test_explanation_is_staff_only_and_follows_ticket_visibility(api_client, customer):
    ticket = TicketFactory(requester=customer)
    url = f"/api/v1/sla/tickets/{ticket.pk}/explanation/"
    assert api_client(customer).get(url).status_code == 403
    assert api_client().get(url).status_code == 401
    limited = AgentFactory()
    from tickets.models import AgentProfile

    AgentProfile.objects.create(user=limited).categories.add(CategoryFactory(name="Other"))
    assert api_client(limited).get(url).status_code == 404
    assert (
        api_client(AgentFactory()).get("/api/v1/sla/tickets/nope/explanation/").status_code == 404
    )
