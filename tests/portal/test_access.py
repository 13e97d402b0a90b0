"""Nobody reaches another customer's ticket or file by guessing URLs, in any tenant."""

import pytest

from tests.conftest import in_schema
from tests.factories import TicketFactory
from tests.factories.portal import VerifiedCustomerFactory, upload
from tickets import services
from tickets.models import Attachment, MessageType


@pytest.fixture
def carols_ticket(customer):
    return TicketFactory(
        requester=customer,
        subject="Carol's private matter",
        attachments=[services.AttachmentInput("contract.pdf", b"%PDF-1.4 secret")],
    )


def test_another_customer_gets_404_for_the_ticket_by_number_and_by_id(
    tenant_client, other_customer, carols_ticket
):
    client = tenant_client(other_customer)
    for ref in (carols_ticket.number, str(carols_ticket.pk), carols_ticket.number.lower()):
        response = client.get(f"/tickets/{ref}/")
        assert response.status_code == 404
        assert b"private matter" not in response.content
        # The same branded page as for a number that does not exist: nothing to tell apart.
        assert b"We could not find that page" in response.content


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("reply", {"content": "let me in"}),
        ("resolve", {}),
        ("rate", {"rating": 1}),
        ("cc", {"email": "mallory@elsewhere.test"}),
    ],
)
def test_another_customer_gets_404_for_every_ticket_action(
    tenant_client, other_customer, carols_ticket, action, data
):
    response = tenant_client(other_customer).post(
        f"/tickets/{carols_ticket.number}/{action}/", data
    )
    carols_ticket.refresh_from_db()
    assert response.status_code == 404
    assert carols_ticket.messages.count() == 1
    assert carols_ticket.status == "OPEN"
    assert not carols_ticket.cc.exists()


def test_another_customer_gets_404_for_the_attachment(
    tenant_client, customer, other_customer, carols_ticket
):
    attachment = Attachment.objects.get(message__ticket=carols_ticket)
    url = f"/attachments/{attachment.pk}/"

    own = tenant_client(customer).get(url)
    other = tenant_client(other_customer).get(url)
    anonymous = tenant_client().get(url)

    assert own.status_code == 200
    assert b"".join(own.streaming_content) == b"%PDF-1.4 secret"
    assert own["Content-Disposition"].startswith("attachment")
    assert own["X-Content-Type-Options"] == "nosniff"
    assert other.status_code == 404
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_files_of_internal_notes_are_not_served_to_the_requester(
    tenant_client, customer, agent, carols_ticket
):
    note = services.message_add(
        ticket=carols_ticket,
        actor=agent,
        content="internal",
        message_type=MessageType.INTERNAL_NOTE,
        attachments=[services.AttachmentInput("risk.txt", b"internal only")],
    )
    attachment = note.attachments.get()
    assert tenant_client(customer).get(f"/attachments/{attachment.pk}/").status_code == 404


def test_unknown_and_malformed_ids_are_404(tenant_client, customer):
    client = tenant_client(customer)
    assert client.get("/tickets/SUP-2999-99999999/").status_code == 404
    assert client.get("/attachments/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/attachments/not-a-uuid/").status_code == 404


def test_a_ccd_colleague_sees_the_ticket_and_its_files(tenant_client, customer, carols_ticket):
    colleague = VerifiedCustomerFactory(email="dan@acme-corp.test")
    services.ticket_cc_add(ticket=carols_ticket, actor=customer, user=colleague)
    attachment = Attachment.objects.get(message__ticket=carols_ticket)
    client = tenant_client(colleague)
    assert client.get(f"/tickets/{carols_ticket.number}/").status_code == 200
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(tenant_client, carols_ticket):
    response = tenant_client().get(f"/tickets/{carols_ticket.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/tickets/{carols_ticket.number}/"


def test_staff_see_the_customer_view_read_only_and_a_desk_link(tenant_client, agent, carols_ticket):
    services.message_add(
        ticket=carols_ticket,
        actor=agent,
        content="INTERNAL: check the contract",
        message_type=MessageType.INTERNAL_NOTE,
    )
    client = tenant_client(agent)
    page = client.get(f"/tickets/{carols_ticket.number}/").content.decode()
    home = client.get("/").content.decode()
    reply = client.post(f"/tickets/{carols_ticket.number}/reply/", {"content": "from portal"})

    assert 'href="/desk/"' in home
    assert "Carol&#x27;s private matter" in page
    assert "INTERNAL: check the contract" not in page  # the portal shows what customers see
    assert "Send reply" not in page
    assert reply.status_code == 404
    assert carols_ticket.messages.count() == 2


def test_a_session_of_one_tenant_is_not_valid_on_another(
    tenant_client, customer, carols_ticket, other_tenant
):
    alpha_cookies = tenant_client(customer).cookies
    with in_schema(other_tenant):
        beta_customer = VerifiedCustomerFactory(email=customer.email)
        beta_ticket = TicketFactory(requester=beta_customer, subject="Beta's own")
        client = tenant_client(on=other_tenant)
        client.cookies = alpha_cookies  # carry alpha's session cookie over to beta's host
        response = client.get(f"/tickets/{beta_ticket.number}/")
    assert response.status_code == 302  # not logged in on beta
    assert response["Location"].startswith("/login/")


def test_customers_of_another_tenant_cannot_open_tickets_here(
    tenant_client, carols_ticket, other_tenant
):
    with in_schema(other_tenant):
        stranger = VerifiedCustomerFactory(email="mallory@beta.test")
    # Users live per tenant: logging in as beta's user on alpha's host finds no one.
    response = tenant_client().post(
        "/login/", {"username": stranger.email, "password": "pass-1234-word"}
    )
    assert response.status_code == 200
    assert tenant_client().get(f"/tickets/{carols_ticket.number}/").status_code == 302


def test_uploads_on_replies_follow_the_same_rule(tenant_client, customer, other_customer):
    ticket = TicketFactory(requester=customer)
    tenant_client(customer).post(
        f"/tickets/{ticket.number}/reply/",
        {"content": "see file", "attachments": [upload("second.txt", b"two")]},
    )
    attachment = Attachment.objects.get(filename="second.txt")
    assert tenant_client(other_customer).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert tenant_client(customer).get(f"/attachments/{attachment.pk}/").status_code == 200
