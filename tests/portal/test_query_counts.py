"""Portal pages read a fixed number of queries, however long the list or the conversation."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TicketFactory
from tickets import services


def queries(client, url) -> int:
    """Queries the page runs (django-tenants' `SET search_path` statements not counted)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(not q["sql"].startswith("SET search_path") for q in captured)


def grow(ticket, customer, agent, by: int) -> None:
    for i in range(by):
        TicketFactory(requester=customer)
        services.message_add(
            ticket=ticket,
            actor=agent,
            content=f"reply {i}",
            attachments=[services.AttachmentInput(f"f{i}.txt", b"x")],
        )


def test_list_ticket_and_home_pages_do_not_grow_with_data(tenant_client, customer, agent):
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)
    pages = ["/", "/tickets/?status=all", f"/tickets/{ticket.number}/"]
    grow(ticket, customer, agent, by=1)
    small = [queries(client, url) for url in pages]

    grow(ticket, customer, agent, by=15)
    large = [queries(client, url) for url in pages]

    print(f"queries home/list/ticket: {large}")
    assert small == large
    assert large[0] <= 10 and large[1] <= 8 and large[2] <= 12, large  # home: +2 with the KB
