"""The condition context built from a ticket and its triggering event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from automation import context as ctx
from automation.conditions import FIELDS
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import MessageType


def test_the_context_has_exactly_the_registry_fields(tenant):
    ticket = TicketFactory()

    assert set(ctx.ticket_context(ticket)) == set(FIELDS)


def test_ticket_fields(tenant):
    category = CategoryFactory(name="Billing")
    agent = AgentFactory()
    ticket = TicketFactory(
        requester=CustomerFactory(email="Carol@Example.COM"),
        subject="Refund please",
        priority="HIGH",
        category=category,
        tags=["vip"],
        channel="EMAIL",
    )
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    ticket = ctx.load_ticket(ticket.pk)

    context = ctx.ticket_context(ticket, now=ticket.created_at + timedelta(hours=3))

    assert context == {
        "subject": "Refund please",
        "message_content": "",
        "status": "OPEN",
        "priority": "HIGH",
        "category": category.pk,
        "category_name": "Billing",
        "tags": ["vip"],
        "channel": "EMAIL",
        "requester_email": "carol@example.com",
        "requester_domain": "example.com",
        "assignee": agent.pk,
        "escalation_level": 0,
        "hours_since_created": pytest.approx(3.0),
        "business_hours_now": True,
        "message_type": None,
        "satisfaction_score": None,
        "satisfaction_response_time": None,
        "satisfaction_solution": None,
        "satisfaction_team": None,
    }


def test_message_fields_come_from_the_triggering_message(tenant):
    ticket = TicketFactory(content="First words")
    note = services.message_add(
        ticket=ticket,
        actor=AgentFactory(),
        content="Internal words",
        message_type=MessageType.INTERNAL_NOTE,
    )

    created = ctx.event_context(ticket, event_name="ticket.created", payload={})
    added = ctx.event_context(
        ticket, event_name="message.added", payload={"message_id": str(note.pk)}
    )
    assigned = ctx.event_context(ticket, event_name="ticket.assigned", payload={})

    assert (created["message_content"], created["message_type"]) == (
        "First words",
        "CUSTOMER_REPLY",
    )
    assert (added["message_content"], added["message_type"]) == ("Internal words", "INTERNAL_NOTE")
    assert (assigned["message_content"], assigned["message_type"]) == ("", None)


def test_business_hours_default_to_around_the_clock(tenant, monkeypatch):
    ticket = TicketFactory()

    assert ctx.business_hours_now(ticket, timezone.now()) is True


def test_business_hours_use_the_sla_calendar_when_the_sla_app_provides_one(tenant, monkeypatch):
    from sla import calendars

    monkeypatch.setattr(calendars, "ticket_in_business_hours", lambda ticket, now: False)

    assert ctx.business_hours_now(TicketFactory(), timezone.now()) is False


def test_malformed_ticket_ids_load_nothing(tenant):
    assert ctx.load_ticket("t1") is None
    assert ctx.load_ticket(None) is None
