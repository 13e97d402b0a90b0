"""Suggestions as you type in the desk's search box: tickets, customers and organizations,
typo tolerance, visibility and a query budget."""

import pytest

from tests.desk.conftest import HTMX
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, TicketFactory
from tickets.models import AgentProfile
from tickets.services.customers import organization_create

pytestmark = pytest.mark.django_db


def suggest(client, q):
    return client.get("/desk/search/suggest/", {"q": q}, **HTMX)


def test_the_search_box_asks_for_suggestions_while_typing(desk):
    page = desk.get("/desk/").content.decode()
    assert 'hx-get="/desk/search/suggest/"' in page
    assert 'hx-trigger="input changed delay:250ms"' in page
    assert "js/desk-search.js" in page


def test_suggestions_list_tickets_customers_and_organizations(
    desk, agent, django_assert_max_num_queries
):
    dora = CustomerFactory(name="Dora Explorer", email="dora@maps.example")
    ticket = TicketFactory(requester=dora, subject="Map is wrong")
    TicketFactory(subject="Something else")
    organization_create(actor=agent, name="Maps United", domains=["maps.example"])

    suggest(desk, "maps")
    # Session, user, one small query per way of matching (text, requester), customers,
    # organizations, each after the tenant's search_path.
    with django_assert_max_num_queries(12):
        html = suggest(desk, "maps").content.decode()

    assert f'href="/desk/tickets/{ticket.number}/"' in html and "Map is wrong" in html
    assert "Something else" not in html
    assert f'href="/desk/customers/{dora.pk}/"' in html
    assert "Maps United" in html


def test_partial_numbers_are_suggested(desk, customer):
    tickets = [TicketFactory(requester=customer, subject=f"Numbered {n}") for n in range(3)]
    digits = str(int(tickets[2].number.rsplit("-", 1)[1]))
    html = suggest(desk, digits).content.decode()
    assert "Numbered 2" in html and "Numbered 0" not in html


def test_a_typo_suggests_the_correction_with_its_tickets(desk, customer):
    TicketFactory(requester=customer, subject="Invoice charged twice")

    html = suggest(desk, "invioce").content.decode()

    assert "Did you mean" in html and "<strong>invoice</strong>" in html
    assert "Invoice charged twice" in html


def test_short_queries_suggest_nothing(desk):
    assert suggest(desk, "a").content.decode().strip() == ""


def test_suggestions_follow_ticket_visibility(tenant_client, customer):
    billing = CategoryFactory(name="Billing only")
    limited = AgentFactory()
    AgentProfile.objects.create(user=limited).categories.add(billing)
    TicketFactory(requester=customer, subject="Secret merger plans")

    html = suggest(tenant_client(limited), "merger").content.decode()

    assert "Secret merger plans" not in html
    assert "Did you mean" not in html


def test_customers_cannot_use_suggestions(tenant_client, customer):
    response = suggest(tenant_client(customer), "printer")
    assert response.status_code in (204, 302)
