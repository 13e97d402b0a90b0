"""Customer and organization pages in the desk: search, profile editing, tickets, ratings,
links from tickets and queues, staff only, bounded queries."""

from __future__ import annotations

from panel1.audit.models import AuditEntry
from tests.factories import CustomerFactory, TicketFactory
from tickets.models import SatisfactionRating
from tickets.services.customers import customer_create, organization_create

# Constant per page (session, user, sidebar, the page's own reads; each with its SET
# search_path); 12 customers with tickets and ratings must not add to it.
PAGE_MAX = 22


def test_customer_search_finds_by_name_email_and_organization(desk, agent):
    org = organization_create(actor=agent, name="Globex", domains=["globex.example"])
    customer_create(actor=agent, email="hank@globex.example", name="Hank Scorpio")
    CustomerFactory(name="Marge Other", email="marge@else.example")
    for query in ("hank", "globex.example", "Globex"):
        page = desk.get("/desk/customers/", {"q": query})
        assert page.status_code == 200
        assert b"Hank Scorpio" in page.content
        assert b"Marge Other" not in page.content
    assert str(org.pk).encode() in desk.get("/desk/customers/", {"q": "globex"}).content


def test_customer_profile_shows_tickets_and_ratings_and_saves(desk, agent, customer):
    org = organization_create(actor=agent, name="Initech", domains=[])
    ticket = TicketFactory(requester=customer, subject="Stapler missing")
    SatisfactionRating.objects.create(ticket=ticket, rating=4, comment="Quick, thanks")
    page = desk.get(f"/desk/customers/{customer.pk}/")
    assert page.status_code == 200
    assert b"Stapler missing" in page.content
    assert b"Quick, thanks" in page.content

    answer = desk.post(
        f"/desk/customers/{customer.pk}/",
        {
            "name": "Carol C.",
            "email": customer.email,
            "organization": str(org.pk),
            "language": "en",
            "timezone": "Europe/Berlin",
            "notes": "Prefers phone",
            "tags": "vip, berlin",
        },
    )
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Carol C."
    assert customer.timezone == "Europe/Berlin"
    assert customer.customer_profile.organization == org
    assert customer.customer_profile.tags == ["vip", "berlin"]
    assert AuditEntry.objects.filter(action="customer.updated").exists()


def test_bad_profile_input_shows_errors_not_500(desk, customer):
    answer = desk.post(
        f"/desk/customers/{customer.pk}/",
        {"email": customer.email, "timezone": "Nowhere/Land"},
    )
    assert answer.status_code == 400
    assert b"is not a time zone" in answer.content


def test_staff_have_no_customer_page(desk, agent, other_agent):
    assert desk.get(f"/desk/customers/{other_agent.pk}/").status_code == 404


def test_customers_cannot_open_the_pages(tenant_client, customer):
    client = tenant_client(customer)
    for path in ("/desk/customers/", f"/desk/customers/{customer.pk}/", "/desk/organizations/"):
        assert client.get(path).status_code == 302


def test_organization_create_edit_members_tickets_and_delete(desk, agent):
    answer = desk.post(
        "/desk/organizations/", {"name": "Umbrella", "domains": "umbrella.example, u.example"}
    )
    assert answer.status_code == 302
    org_url = answer["Location"]
    member = customer_create(actor=agent, email="alice@u.example", name="Alice Member")
    TicketFactory(requester=member, subject="Lab door stuck")
    page = desk.get(org_url)
    assert b"Alice Member" in page.content
    assert b"Lab door stuck" in page.content
    answer = desk.post(org_url, {"name": "Umbrella Corp", "domains": "umbrella.example"})
    assert answer.status_code == 302
    bad = desk.post("/desk/organizations/", {"name": "Other", "domains": "umbrella.example"})
    assert bad.status_code == 400
    assert desk.post(org_url + "delete/").status_code == 302
    assert desk.get(org_url).status_code == 404


def test_requester_links_to_profile_from_ticket_and_queue(desk, ticket, customer):
    link = f'href="/desk/customers/{customer.pk}/"'.encode()
    assert link in desk.get(f"/desk/tickets/{ticket.number}/").content
    assert link in desk.get("/desk/queue/open/").content


def test_pages_have_bounded_queries(desk, agent, django_assert_max_num_queries):
    org = organization_create(actor=agent, name="Busy", domains=["busy.example"])
    people = [customer_create(actor=agent, email=f"p{n}@busy.example") for n in range(12)]
    for person in people:
        ticket = TicketFactory(requester=person)
        SatisfactionRating.objects.create(ticket=ticket, rating=5)
    with django_assert_max_num_queries(PAGE_MAX):
        assert desk.get("/desk/customers/", {"q": "busy"}).status_code == 200
    with django_assert_max_num_queries(PAGE_MAX):
        assert desk.get(f"/desk/customers/{people[0].pk}/").status_code == 200
    with django_assert_max_num_queries(PAGE_MAX):
        assert desk.get(f"/desk/organizations/{org.pk}/").status_code == 200
    with django_assert_max_num_queries(PAGE_MAX):
        assert desk.get("/desk/organizations/").status_code == 200
