"""New ticket from the desk: pick or create the requester, log a call or send a message,
properties, attachments; follow-up tickets from closed ones."""

from __future__ import annotations

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CustomerFactory, TicketFactory
from tickets import services
from tickets.models import Message, MessageType, Status, Ticket
from tickets.services.customers import customer_create, organization_create


def _new(desk, **data):
    payload = {
        "channel": "PHONE",
        "send": "log",
        "subject": "Printer on fire",
        "content": "Caller says smoke.\nSecond line.",
        "priority": "HIGH",
        **data,
    }
    return desk.post("/desk/tickets/new/", payload)


def test_form_renders_with_channels_and_requester_search(desk, agent):
    page = desk.get("/desk/tickets/new/")
    assert page.status_code == 200
    for channel in (b'value="PHONE"', b'value="EMAIL"', b'value="WALK_IN"', b'value="WEB"'):
        assert channel in page.content
    org = organization_create(actor=agent, name="Wayne Enterprises", domains=["wayne.example"])
    customer_create(actor=agent, email="bruce@wayne.example", name="Bruce W")
    for query in ("bruce", "wayne.example", "Enterprises"):
        pick = desk.get("/desk/customers/pick/", {"q": query})
        assert b"Bruce W" in pick.content
    assert org.name.encode() in desk.get("/desk/customers/pick/", {"q": "bruce"}).content


def test_log_a_call_for_an_existing_customer_sends_no_mail(desk, agent, customer, run_on_commit):
    mail.outbox = []
    answer = _new(desk, requester=str(customer.pk), assignee=str(agent.pk), tags="urgent, hw")
    assert answer.status_code == 302
    ticket = Ticket.objects.get(subject="Printer on fire")
    assert answer["Location"] == f"/desk/tickets/{ticket.number}/"
    assert ticket.requester == customer
    assert ticket.channel == "PHONE"
    assert ticket.priority == "HIGH"
    assert ticket.assignee == agent
    assert ticket.tags == ["urgent", "hw"]
    first = ticket.messages.get()
    assert first.message_type == MessageType.CUSTOMER_REPLY and first.author == customer
    assert first.content == "Caller says smoke.\nSecond line."
    assert not [m for m in mail.outbox if customer.email in m.to]


def test_send_to_a_new_customer_creates_them_and_mails_the_message(desk, agent):
    mail.outbox = []
    answer = _new(
        desk,
        requester_email="new.person@example.org",
        requester_name="New Person",
        send="send",
        channel="EMAIL",
        subject="Your order",
        content="Hello, your order shipped.",
        attachments=SimpleUploadedFile("note.txt", b"tracking 123", content_type="text/plain"),
    )
    assert answer.status_code == 302
    ticket = Ticket.objects.get(subject="Your order")
    assert ticket.requester.email == "new.person@example.org"
    assert ticket.requester.name == "New Person"
    first = ticket.messages.get()
    assert first.message_type == MessageType.STAFF_REPLY and first.author == agent
    assert first.attachments.count() == 1
    assert ticket.first_responded_at is not None
    sent = [m for m in mail.outbox if "new.person@example.org" in m.to]
    assert len(sent) == 1
    assert "your order shipped" in sent[0].body


def test_properties_status_and_bad_input(desk, customer):
    answer = _new(desk, requester=str(customer.pk), status="WAITING_ON_CUSTOMER")
    assert Ticket.objects.get(subject="Printer on fire").status == Status.WAITING_ON_CUSTOMER
    assert answer.status_code == 302
    missing = _new(desk, subject="No one", content="x")
    assert missing.status_code == 400
    assert b"Pick a customer or enter the email of a new one." in missing.content
    bad = _new(desk, requester=str(customer.pk), channel="FAX", subject="Bad channel")
    assert bad.status_code == 400
    assert not Ticket.objects.filter(subject__in=["No one", "Bad channel"]).exists()


def test_closed_ticket_shows_follow_up_instead_of_reply_box(desk, supervisor, ticket):
    services.ticket_status_change(ticket=ticket, actor=supervisor, status=Status.CLOSED)
    page = desk.get(f"/desk/tickets/{ticket.number}/")
    assert b'id="reply-form"' not in page.content
    assert f"/desk/tickets/new/?follow_up={ticket.number}".encode() in page.content


def test_follow_up_is_prefilled_linked_and_noted(desk, supervisor, ticket, customer):
    services.ticket_status_change(ticket=ticket, actor=supervisor, status=Status.CLOSED)
    form = desk.get("/desk/tickets/new/", {"follow_up": ticket.number})
    assert f"Follow-up: {ticket.subject}".encode() in form.content
    assert str(customer.pk).encode() in form.content
    answer = _new(
        desk,
        requester=str(customer.pk),
        follow_up=ticket.number,
        subject=f"Follow-up: {ticket.subject}",
        content="It jammed again.",
    )
    assert answer.status_code == 302
    new = Ticket.objects.get(subject=f"Follow-up: {ticket.subject}")
    assert ticket in new.related.all()
    note = new.messages.get(message_type=MessageType.INTERNAL_NOTE)
    assert ticket.number in note.content


def test_customer_from_another_organization_domain_joins_when_created_here(desk, agent):
    org = organization_create(actor=agent, name="Stark", domains=["stark.example"])
    _new(desk, requester_email="pepper@stark.example", subject="From Stark")
    requester = Ticket.objects.get(subject="From Stark").requester
    assert requester.customer_profile.organization == org


def test_customers_cannot_open_the_form(tenant_client):
    client = tenant_client(CustomerFactory())
    assert client.get("/desk/tickets/new/").status_code == 302
    assert client.post("/desk/tickets/new/", {"subject": "x"}).status_code == 302
    assert not Message.objects.exists()


def test_new_ticket_page_queries_are_bounded(desk, customer, django_assert_max_num_queries):
    TicketFactory(requester=customer)
    with django_assert_max_num_queries(20):
        assert desk.get("/desk/tickets/new/", {"requester": str(customer.pk)}).status_code == 200
