"""Lifecycle rules of tickets.services, through the services themselves."""

import pytest

from panel1.actors import Actor
from panel1.exceptions import DomainError, PermissionDenied
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import AgentProfile, Message, MessageType, Status, Ticket, TicketEvent


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


@pytest.fixture
def agent(tenant):
    return AgentFactory()


def test_create_writes_number_message_audit_and_event(customer, run_on_commit, events):
    with run_on_commit():
        ticket = TicketFactory(requester=customer, subject="  Printer   jammed ", tags=["HW", "hw"])
    assert ticket.number.startswith("SUP-")
    assert ticket.subject == "Printer jammed"
    assert ticket.tags == ["hw"]
    assert ticket.messages.get().message_type == MessageType.CUSTOMER_REPLY
    assert TicketEvent.objects.filter(ticket=ticket, event="ticket.created").exists()
    assert [e.name for e in events] == ["ticket.created"]
    assert events[0].payload["ticket_id"] == str(ticket.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", ""), ("content", "   "), ("priority", "CRITICAL"), ("subject", "x" * 256)],
)
def test_create_rejects_bad_input_and_writes_nothing(customer, field, value):
    kwargs = {"subject": "ok", "content": "ok", field: value}
    with pytest.raises(DomainError) as exc:
        services.ticket_create(actor=customer, requester=customer, **kwargs)
    assert field in exc.value.errors
    assert not Ticket.objects.exists()


def test_staff_reply_starts_work_and_stamps_first_response(customer, agent, events, run_on_commit):
    ticket = TicketFactory(requester=customer)
    with run_on_commit():
        services.message_add(ticket=ticket, actor=agent, content="On it", time_spent=7)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.first_responded_at is not None
    assert ticket.messages.last().time_spent == 7
    assert {"message.added", "ticket.status.changed"} <= {e.name for e in events}


def test_auto_response_is_not_a_first_response(customer, tenant):
    ticket = TicketFactory(requester=customer)
    services.message_add(
        ticket=ticket,
        actor=Actor.automation("ack", rule_id="r1"),
        content="We got it",
        message_type=MessageType.STAFF_REPLY,
        is_auto_response=True,
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None and ticket.status == Status.OPEN


@pytest.mark.parametrize("status", [Status.WAITING_ON_CUSTOMER, Status.RESOLVED])
def test_customer_reply_reopens(customer, agent, status):
    ticket = TicketFactory(requester=customer)
    services.ticket_status_change(ticket=ticket, actor=agent, status=status)
    services.message_add(ticket=ticket, actor=customer, content="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None


def test_disallowed_transition_is_a_domain_error(customer, agent):
    ticket = TicketFactory(requester=customer)
    services.ticket_status_change(ticket=ticket, actor=agent, status=Status.CLOSED, reason="dup")
    with pytest.raises(DomainError, match="CLOSED to OPEN"):
        services.ticket_status_change(ticket=ticket, actor=agent, status=Status.OPEN)
    event = TicketEvent.objects.get(ticket=ticket, field="status")
    assert (event.before, event.after, event.reason) == ("OPEN", "CLOSED", "dup")


def test_customer_may_only_resolve_or_reopen(customer):
    ticket = TicketFactory(requester=customer)
    with pytest.raises(PermissionDenied):
        services.ticket_status_change(ticket=ticket, actor=customer, status=Status.ON_HOLD)
    services.ticket_status_change(ticket=ticket, actor=customer, status=Status.RESOLVED)
    services.ticket_status_change(ticket=ticket, actor=customer, status=Status.OPEN)


def test_replies_to_closed_tickets_are_refused(customer, agent):
    ticket = TicketFactory(requester=customer)
    services.ticket_status_change(ticket=ticket, actor=agent, status=Status.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        services.message_add(ticket=ticket, actor=customer, content="hello?")
    services.message_add(
        ticket=ticket, actor=agent, content="note", message_type=MessageType.INTERNAL_NOTE
    )


def test_customers_cannot_write_notes_or_time(customer):
    ticket = TicketFactory(requester=customer)
    with pytest.raises(PermissionDenied):
        services.message_add(
            ticket=ticket, actor=customer, content="x", message_type=MessageType.INTERNAL_NOTE
        )
    with pytest.raises(PermissionDenied):
        services.message_add(ticket=ticket, actor=customer, content="x", time_spent=3)


def test_assign_only_to_staff_and_respecting_categories(customer, agent, run_on_commit, events):
    billing, tech = CategoryFactory(name="Billing"), CategoryFactory(name="Tech")
    AgentProfile.objects.create(user=agent).categories.add(billing)
    ticket = TicketFactory(requester=customer, category=tech)
    with pytest.raises(DomainError, match="category"):
        services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    with pytest.raises(DomainError, match="staff"):
        services.ticket_assign(ticket=ticket, actor=agent, assignee=customer)
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=ticket, actor=customer, assignee=None)
    services.ticket_update(ticket=ticket, actor=agent, category=billing)
    with run_on_commit():
        services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
    assert "ticket.assigned" in [e.name for e in events]
    services.ticket_assign(ticket=ticket, actor=agent, assignee=None)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_update_audits_each_changed_field(customer, agent):
    ticket = TicketFactory(requester=customer)
    services.ticket_update(
        ticket=ticket, actor=agent, priority="URGENT", tags=["vip"], subject=ticket.subject
    )
    fields = set(
        TicketEvent.objects.filter(ticket=ticket, event="ticket.updated").values_list(
            "field", flat=True
        )
    )
    assert fields == {"priority", "tags"}


def test_merge_moves_messages_and_closes_source_with_pointer(
    customer, agent, events, run_on_commit
):
    other = CustomerFactory()
    source = TicketFactory(requester=other)
    target = TicketFactory(requester=customer)
    services.message_add(ticket=source, actor=other, content="more detail")
    with run_on_commit():
        services.ticket_merge(source=source, target=target, actor=agent)
    source.refresh_from_db()
    assert source.status == Status.CLOSED and source.merged_into == target
    assert target.messages.filter(moved_from=source).count() == 2
    # Another customer's request: kept as staff-only notes, its requester not carried over.
    assert set(
        target.messages.filter(moved_from=source).values_list("message_type", flat=True)
    ) == {"INTERNAL_NOTE"}
    assert other not in target.cc.all()
    assert {"ticket.merged", "ticket.closed"} <= {e.name for e in events}
    # mail or replies to the old number land on the surviving ticket
    reply = services.message_add(ticket=source, actor=customer, content="late reply")
    assert reply.ticket == target
    with pytest.raises(DomainError):
        services.ticket_merge(source=source, target=target, actor=agent)
    with pytest.raises(PermissionDenied):
        services.ticket_merge(
            source=TicketFactory(requester=customer), target=target, actor=customer
        )


def test_split_moves_a_message_to_a_linked_ticket(customer, agent):
    ticket = TicketFactory(requester=customer)
    second = services.message_add(ticket=ticket, actor=customer, content="Also: my VPN fails")
    new = services.ticket_split(message=second, actor=agent, subject="VPN fails")
    assert Message.objects.get(pk=second.pk).ticket == new
    assert ticket in new.related.all() and new.requester == customer


def test_cc_and_link(customer, agent):
    ticket = TicketFactory(requester=customer)
    colleague = CustomerFactory()
    services.ticket_cc_add(ticket=ticket, actor=customer, user=colleague)
    assert Ticket.objects.visible_to(colleague).filter(pk=ticket.pk).exists()
    services.ticket_cc_remove(ticket=ticket, actor=colleague, user=colleague)
    assert not Ticket.objects.visible_to(colleague).filter(pk=ticket.pk).exists()
    other = TicketFactory(requester=customer)
    services.ticket_link(ticket=ticket, other=other, actor=agent)
    assert other in ticket.related.all()
