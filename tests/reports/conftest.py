"""Report fixtures: tickets with chosen timestamps, then one analytics pass."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.services import reports_refresh
from sla.models import TicketSLA
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, TicketFactory
from tickets.models import Message, MessageType, Status, Ticket

UTC = dt.UTC
DAY = dt.date(2026, 3, 2)  # a Monday


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


@pytest.fixture
def agent(tenant):
    return AgentFactory(email="alice@helpdesk.test", name="Alice")


@pytest.fixture
def other_agent(tenant):
    return AgentFactory(email="bob@helpdesk.test", name="Bob")


@pytest.fixture
def supervisor(tenant):
    return SupervisorFactory()


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


def place(
    ticket: Ticket,
    *,
    created: dt.datetime,
    first: dt.datetime | None = None,
    resolved: dt.datetime | None = None,
    status: str | None = None,
) -> Ticket:
    """Move a ticket's clock facts to fixed instants (its first message with it)."""
    if status is None:
        status = Status.RESOLVED if resolved else (Status.IN_PROGRESS if first else Status.OPEN)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=created, first_responded_at=first, resolved_at=resolved, status=status
    )
    Message.objects.filter(ticket=ticket).update(created_at=created)
    TicketSLA.objects.filter(ticket=ticket).update(started_at=created, pauses=[])
    ticket.refresh_from_db()
    return ticket


def message(ticket: Ticket, *, kind: str, when: dt.datetime, author, time_spent=None) -> Message:
    created = Message.objects.create(
        ticket=ticket, author=author, message_type=kind, content="text", time_spent=time_spent
    )
    Message.objects.filter(pk=created.pk).update(created_at=when)  # auto_now_add otherwise
    return created


@pytest.fixture
def make_ticket(customer):
    def make(*, created, first=None, resolved=None, assignee=None, **kwargs) -> Ticket:
        ticket = TicketFactory(requester=customer, **kwargs)
        if assignee is not None:
            Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee)
        ticket = place(ticket, created=created, first=first, resolved=resolved)
        if first is not None and assignee is not None:
            message(ticket, kind=MessageType.STAFF_REPLY, when=first, author=assignee)
        return ticket

    return make


@pytest.fixture
def refresh():
    return lambda **kwargs: reports_refresh(full=True, **kwargs)
