"""The desk's and the portal's ticket pages in at most 12 statements each (issue 13), SETs
included, measured like a browser on the tenant's host (the test client's own lookup of the
primary domain is not part of a request). The tenant's cached lookups (categories, agents'
category limits) are warm, as they are after the first page of any agent."""

from django.test import Client

from tests.factories import TicketFactory
from tickets import services

PAGE_MAX = 12


def _client(tenant, user) -> Client:
    client = Client(HTTP_HOST=tenant.domains.get(is_primary=True).domain)
    client.force_login(user)
    return client


def _busy_ticket(customer, agent, other_agent):
    ticket = TicketFactory(requester=customer)
    for i in range(3):
        services.message_add(
            ticket=ticket,
            actor=agent,
            content=f"reply {i}",
            attachments=[services.AttachmentInput(f"f{i}.txt", b"x")],
        )
        services.message_add(ticket=ticket, actor=customer, content=f"answer {i}")
    services.ticket_cc_add(ticket=ticket, actor=agent, user=other_agent)
    return ticket


def test_desk_ticket_page_budget(
    tenant, agent, other_agent, customer, django_assert_max_num_queries
):
    ticket = _busy_ticket(customer, agent, other_agent)
    client = _client(tenant, agent)
    client.get(f"/desk/tickets/{ticket.number}/")  # fills the cached lookups (2 statements)
    with django_assert_max_num_queries(PAGE_MAX):
        page = client.get(f"/desk/tickets/{ticket.number}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert content.count('class="msg msg-') == 7
    assert "f2.txt" in content and other_agent.email in content


def test_portal_ticket_page_budget(
    tenant, agent, other_agent, customer, django_assert_max_num_queries
):
    ticket = _busy_ticket(customer, agent, other_agent)
    client = _client(tenant, customer)
    client.get(f"/tickets/{ticket.number}/")
    with django_assert_max_num_queries(PAGE_MAX):
        page = client.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 200 and "reply 2" in page.content.decode()
