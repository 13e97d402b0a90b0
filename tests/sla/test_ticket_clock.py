"""A ticket's SLA clock: pauses, first and next response, resolution and reopening.

Exact instants come from the SLA services called with explicit `now` values (no clock
freezing); the flows through the ticket services and the API check the wiring.
"""

import datetime as dt

import pytest

from sla.models import TicketSLA
from sla.services import (
    ticket_sla_customer_reply,
    ticket_sla_staff_reply,
    ticket_sla_status_change,
)
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tests.factories.sla import BusinessHoursProfileFactory, SlaProfileFactory, ticket_started_at
from tickets import services
from tickets.models import MessageType, Ticket


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


FRI_10 = _at("2026-03-06T10:00:00+01:00")


@pytest.fixture
def office(tenant):
    """Default profile: Mon-Fri 09:00-17:00 Berlin, 4 h first response, 2 days resolution."""
    return BusinessHoursProfileFactory(
        name="Office", is_default=True, first_response_time=240, resolution_time=960
    )


@pytest.fixture
def agent(tenant):
    return AgentFactory()


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


def _state(ticket) -> TicketSLA:
    return TicketSLA.objects.get(pk=ticket.pk)


def _status(ticket, before, after, at):
    return ticket_sla_status_change(ticket=ticket, before=before, after=after, now=_at(at))


def test_pause_and_resume_shift_due_times_by_paused_business_time(office):
    ticket = ticket_started_at(FRI_10)
    state = _state(ticket)
    assert state.first_response_due_at == _at("2026-03-06T14:00:00+01:00")
    assert state.resolution_due_at == _at("2026-03-10T10:00:00+01:00")

    paused = _status(ticket, "OPEN", "ON_HOLD", "2026-03-06T12:00:00+01:00")
    assert paused.paused and not paused.active
    assert paused.first_response_due_at == state.first_response_due_at  # frozen while paused

    # Paused Fri 12:00 -> Mon 10:00: 5 h on Friday + 1 h on Monday of business time.
    resumed = _status(ticket, "ON_HOLD", "IN_PROGRESS", "2026-03-09T10:00:00+01:00")
    assert not resumed.paused and resumed.active
    assert resumed.paused_business_seconds == 6 * 3600
    assert resumed.first_response_due_at == _at("2026-03-09T12:00:00+01:00")
    assert resumed.resolution_due_at == _at("2026-03-10T16:00:00+01:00")
    assert [p["reason"] for p in resumed.pauses] == ["ON_HOLD"]


def test_pause_overnight_moves_nothing_and_switching_pause_kinds_counts_once(office):
    ticket = ticket_started_at(FRI_10)
    _status(ticket, "OPEN", "WAITING_ON_CUSTOMER", "2026-03-06T17:30:00+01:00")
    _status(ticket, "WAITING_ON_CUSTOMER", "ON_HOLD", "2026-03-07T12:00:00+01:00")
    state = _status(ticket, "ON_HOLD", "OPEN", "2026-03-09T08:00:00+01:00")
    assert state.paused_business_seconds == 0
    assert state.first_response_due_at == _at("2026-03-06T14:00:00+01:00")
    assert [p["reason"] for p in state.pauses] == ["WAITING_ON_CUSTOMER", "ON_HOLD"]


def test_pause_after_the_due_time_does_not_undo_a_breach(office):
    ticket = ticket_started_at(FRI_10)
    _status(ticket, "OPEN", "ON_HOLD", "2026-03-06T15:00:00+01:00")
    state = _status(ticket, "ON_HOLD", "OPEN", "2026-03-09T10:00:00+01:00")
    assert state.first_response_due_at == _at("2026-03-06T14:00:00+01:00")  # ran out before
    assert state.resolution_due_at == _at("2026-03-10T13:00:00+01:00")  # moved by 3 h


def test_status_changes_through_the_api_pause_and_resume(api_client, agent, customer):
    ticket = TicketFactory(requester=customer)
    client = api_client(agent)
    waiting = client.post(
        f"/api/v1/tickets/{ticket.pk}/status/", {"status": "WAITING_ON_CUSTOMER"}, format="json"
    )
    assert waiting.json()["sla"]["paused"] is True
    reply = api_client(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages/", {"content": "Here you go"}, format="json"
    )
    assert reply.status_code == 201
    body = client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert body["status"] == "OPEN" and body["sla"]["paused"] is False
    assert _state(ticket).pauses[0]["reason"] == "WAITING_ON_CUSTOMER"


def test_first_response_is_stamped_by_the_first_staff_reply(api_client, agent, customer):
    ticket = TicketFactory(requester=customer)
    response = api_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "Looking", "message_type": "STAFF_REPLY"},
        format="json",
    )
    assert response.status_code == 201
    sla = api_client(agent).get(f"/api/v1/tickets/{ticket.pk}/").json()["sla"]
    ticket.refresh_from_db()
    assert sla["first_responded_at"] is not None
    assert _state(ticket).first_responded_at == ticket.first_responded_at
    assert sla["first_response_breached"] is False


def test_a_staff_reply_that_changes_no_sla_fact_leaves_the_row_alone(tenant, agent, customer):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="Looking")
    answered = _state(ticket)
    services.message_add(ticket=ticket, actor=agent, content="Still looking")
    state = _state(ticket)
    assert state.updated_at == answered.updated_at and state.log == answered.log
    assert state.first_responded_at == answered.first_responded_at is not None


def test_auto_responses_and_notes_are_not_first_responses(tenant, agent, customer):
    ticket = TicketFactory(requester=customer)
    services.message_add(
        ticket=ticket,
        actor=agent,
        content="We got your ticket",
        message_type=MessageType.STAFF_REPLY,
        is_auto_response=True,
    )
    services.message_add(
        ticket=ticket, actor=agent, content="note", message_type=MessageType.INTERNAL_NOTE
    )
    assert _state(ticket).first_responded_at is None


def test_late_first_response_is_flagged_and_announced_once(
    tenant, agent, customer, events, run_on_commit
):
    ticket = TicketFactory(requester=customer)
    # Started five hours ago on the default 24x7 profile (4 h to first response).
    started = ticket.created_at - dt.timedelta(hours=5)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=started)
    TicketSLA.objects.filter(pk=ticket.pk).delete()
    ticket.refresh_from_db()
    with run_on_commit():
        services.message_add(ticket=ticket, actor=agent, content="Sorry for the wait")
    state = _state(ticket)
    assert state.first_response_breached
    breaches = [e for e in events if e.name == "sla.breach"]
    assert [(e.payload["ticket_id"], e.payload["target"]) for e in breaches] == [
        (str(ticket.pk), "first_response")
    ]


def test_next_response_runs_from_the_oldest_unanswered_customer_reply(tenant, agent, customer):
    SlaProfileFactory(
        name="Chatty", priorities=["HIGH"], first_response_time=60, next_response_time=30
    )
    ticket = TicketFactory(requester=customer, priority="HIGH")
    services.message_add(ticket=ticket, actor=customer, content="More details")
    assert _state(ticket).next_response_due_at is None  # first response still pending
    services.message_add(ticket=ticket, actor=agent, content="Thanks, checking")
    first = services.message_add(ticket=ticket, actor=customer, content="Any news?")
    services.message_add(ticket=ticket, actor=customer, content="Hello?")
    state = _state(ticket)
    assert state.next_response_started_at == first.created_at
    assert state.next_response_due_at == first.created_at + dt.timedelta(minutes=30)
    services.message_add(ticket=ticket, actor=agent, content="Fixed now")
    state = _state(ticket)
    assert state.next_response_due_at is None and not state.next_response_breached


def test_late_next_response_is_breached_and_the_next_cycle_starts_clean(tenant):
    SlaProfileFactory(
        name="Chatty", priorities=["HIGH"], first_response_time=60, next_response_time=30
    )
    ticket = ticket_started_at(FRI_10, priority="HIGH")
    Ticket.objects.filter(pk=ticket.pk).update(first_responded_at=FRI_10)
    ticket.refresh_from_db()
    ticket_sla_staff_reply(ticket=ticket, replied_at=FRI_10, now=FRI_10)
    ticket_sla_customer_reply(ticket=ticket, replied_at=_at("2026-03-06T11:00:00+01:00"))
    state = ticket_sla_staff_reply(ticket=ticket, replied_at=_at("2026-03-06T11:45:00+01:00"))
    assert state.next_response_breached and state.next_response_breach_count == 1
    state = ticket_sla_customer_reply(ticket=ticket, replied_at=_at("2026-03-06T12:00:00+01:00"))
    assert not state.next_response_breached and state.next_response_breach_count == 1
    assert state.next_response_due_at == _at("2026-03-06T12:30:00+01:00")


def test_resolution_is_recorded_and_reopen_continues_the_clock(office):
    ticket = ticket_started_at(FRI_10)
    resolved = _status(ticket, "OPEN", "RESOLVED", "2026-03-06T11:00:00+01:00")
    assert resolved.resolved_at == _at("2026-03-06T11:00:00+01:00")
    assert not resolved.resolution_breached and not resolved.paused and not resolved.active
    # Reopened Monday 11:00: the 8 business hours spent resolved move the running targets.
    reopened = _status(ticket, "RESOLVED", "OPEN", "2026-03-09T11:00:00+01:00")
    assert reopened.resolved_at is None and reopened.active
    assert reopened.resolution_due_at == _at("2026-03-11T10:00:00+01:00")
    assert reopened.first_response_due_at == _at("2026-03-09T14:00:00+01:00")
    assert reopened.pauses[-1]["reason"] == "RESOLVED"


def test_late_resolution_stays_breached_after_reopen_and_close_freezes(office):
    ticket = ticket_started_at(FRI_10)
    late = _status(ticket, "OPEN", "RESOLVED", "2026-03-10T12:00:00+01:00")
    assert late.resolution_breached
    reopened = _status(ticket, "RESOLVED", "OPEN", "2026-03-10T13:00:00+01:00")
    assert reopened.resolution_breached
    assert reopened.resolution_due_at == late.resolution_due_at
    closed = _status(ticket, "OPEN", "CLOSED", "2026-03-10T14:00:00+01:00")
    assert closed.is_closed and not closed.active and closed.resolved_at is not None
    after = _status(ticket, "CLOSED", "OPEN", "2026-03-11T14:00:00+01:00")
    assert after.is_closed and after.resolved_at == closed.resolved_at


def test_resolving_while_paused_judges_at_the_pause_start(office):
    ticket = ticket_started_at(FRI_10)
    _status(ticket, "OPEN", "WAITING_ON_CUSTOMER", "2026-03-06T12:00:00+01:00")
    # Resolved long after the due time, but the clock stood still since Friday 12:00.
    state = _status(ticket, "WAITING_ON_CUSTOMER", "RESOLVED", "2026-03-20T12:00:00+01:00")
    assert not state.resolution_breached and not state.first_response_breached
