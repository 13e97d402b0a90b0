"""The portal's shared tickets view: members of an organization that shares tickets see each
other's requests (an option per organization, off by default); nobody else does."""

import pytest

from tests.factories import CustomerFactory, TicketFactory
from tickets.models import CustomerProfile, Organization, Ticket
from tickets.services.customers import organization_create, organization_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(agent):
    return organization_create(actor=agent, name="Acme", domains=["acme.test"])


@pytest.fixture
def colleagues(acme, customer):
    CustomerProfile.objects.update_or_create(user=customer, defaults={"organization": acme})
    colleague = CustomerFactory(name="Cora Colleague", email_verified=True)
    CustomerProfile.objects.update_or_create(user=colleague, defaults={"organization": acme})
    return colleague


def test_sharing_is_off_by_default(tenant_client, customer, colleagues):
    theirs = TicketFactory(requester=colleagues, subject="Colleague's printer")

    client = tenant_client(customer)

    assert not Ticket.objects.visible_to(customer).filter(pk=theirs.pk).exists()
    assert client.get(f"/tickets/{theirs.number}/").status_code == 404
    assert "All of Acme" not in client.get("/tickets/").content.decode()


def test_members_see_the_organizations_tickets_when_it_shares(
    tenant_client, customer, colleagues, acme, agent, django_assert_max_num_queries
):
    organization_update(actor=agent, organization=acme, shares_tickets=True)
    theirs = TicketFactory(requester=colleagues, subject="Colleague printer")
    mine = TicketFactory(requester=customer, subject="My own printer")
    outsider = TicketFactory(requester=CustomerFactory(), subject="Outsider printer")
    client = tenant_client(customer)

    own_list = client.get("/tickets/?status=all").content.decode()
    assert "My own printer" in own_list and "Colleague printer" not in own_list
    assert "All of Acme" in own_list

    client.get("/tickets/?status=all&whose=organization")
    with django_assert_max_num_queries(14):
        shared = client.get("/tickets/?status=all&whose=organization").content.decode()
    assert "Colleague printer" in shared and "My own printer" in shared
    assert "by Cora Colleague" in shared
    assert "Outsider printer" not in shared

    page = client.get(f"/tickets/{theirs.number}/").content.decode()
    assert "Cora Colleague of your organization made this request" in page
    assert client.get(f"/tickets/{outsider.number}/").status_code == 404
    assert client.post(f"/tickets/{theirs.number}/reply/", {"content": "x"}).status_code == 404
    assert mine.pk != theirs.pk


def test_leaving_the_organization_or_switching_sharing_off_hides_them_again(
    customer, colleagues, acme, agent
):
    organization_update(actor=agent, organization=acme, shares_tickets=True)
    theirs = TicketFactory(requester=colleagues)
    assert Ticket.objects.visible_to(customer).filter(pk=theirs.pk).exists()

    organization_update(actor=agent, organization=acme, shares_tickets=False)
    assert not Ticket.objects.visible_to(customer).filter(pk=theirs.pk).exists()

    organization_update(actor=agent, organization=acme, shares_tickets=True)
    CustomerProfile.objects.filter(user=customer).update(organization=None)
    assert not Ticket.objects.visible_to(customer).filter(pk=theirs.pk).exists()


def test_the_api_and_the_desk_set_the_option(api_client, tenant_client, agent, acme):
    response = api_client(agent).patch(
        f"/api/v1/organizations/{acme.pk}/", {"shares_tickets": True}, format="json"
    )
    assert response.status_code == 200
    assert Organization.objects.get(pk=acme.pk).shares_tickets is True

    page = tenant_client(agent).post(
        f"/desk/organizations/{acme.pk}/", {"name": "Acme", "domains": "acme.test", "notes": ""}
    )
    assert page.status_code == 302
    assert Organization.objects.get(pk=acme.pk).shares_tickets is False


def test_portal_lists_never_say_zero_minutes(tenant_client, customer):
    TicketFactory(requester=customer, subject="Fresh one")
    client = tenant_client(customer)
    for url in ("/tickets/", "/"):
        html = client.get(url).content.decode()
        assert "0 minutes" not in html
    assert "just now" in client.get("/tickets/").content.decode()


def test_portal_images_show_thumbnails_for_those_who_may_see_them(
    tenant_client, customer, other_customer
):
    import io

    from PIL import Image

    from tests.factories.portal import upload
    from tickets.models import Attachment

    out = io.BytesIO()
    Image.new("RGB", (300, 300), "green").save(out, format="PNG")
    client = tenant_client(customer)
    client.post(
        "/tickets/new/",
        {
            "subject": "Photo",
            "description": "See",
            "attachments": [upload("p.png", out.getvalue())],
        },
    )
    image = Attachment.objects.get()

    page = client.get(f"/tickets/{image.message.ticket.number}/").content.decode()
    assert f'src="/attachments/{image.pk}/thumb/"' in page and "data-viewer" in page
    thumb = client.get(f"/attachments/{image.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert tenant_client(other_customer).get(f"/attachments/{image.pk}/thumb/").status_code == 404
