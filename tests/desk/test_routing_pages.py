"""Routing in the desk: availability switch, team view, settings page, assignee picker,
routing reason on the ticket page."""

import pytest

from automation.routing.models import RoutingSettings
from automation.routing.services import ticket_route
from tests.desk.conftest import HTMX
from tests.factories import TicketFactory
from tests.factories.routing import AgentProfileFactory, routing_configure
from tickets.models import AgentProfile
from tickets.services import ticket_assign

PAGE_MAX = 20  # session, sidebar, agents with load (1), today's assignments (1), settings


def test_availability_switch_shows_and_sets_my_status(tenant_client, agent):
    client = tenant_client(agent)
    page = client.get("/desk/").content.decode()
    assert 'hx-get="/desk/availability/"' in page
    fragment = client.get("/desk/availability/", **HTMX).content.decode()
    assert 'value="offline" selected' in fragment

    answer = client.post("/desk/availability/", {"status": "online"}, **HTMX)

    assert 'value="online" selected' in answer.content.decode()
    assert AgentProfile.objects.get(user=agent).status == "online"


def test_availability_switch_rejects_a_made_up_status(tenant_client, agent):
    answer = tenant_client(agent).post("/desk/availability/", {"status": "asleep"}, **HTMX)
    assert answer.status_code == 200 and "not a status" in answer.content.decode()


def test_team_view_shows_status_load_and_todays_assignments(
    tenant_client, agent, supervisor, django_assert_max_num_queries
):
    AgentProfileFactory(user=agent, capacity=2)
    routing_configure(strategy="load_balanced")
    ticket = TicketFactory()
    ticket_route(ticket_id=ticket.pk)
    client = tenant_client(supervisor)
    client.get("/desk/team/")  # warm the session and the sidebar
    with django_assert_max_num_queries(PAGE_MAX):
        page = client.get("/desk/team/").content.decode()
    row = page.split(f'data-agent="{agent.email}"')[1].split("</tr>")[0]
    assert "online" in row and "1 / 2" in row and "1 routed" in row


def test_routing_page_is_for_supervisors(tenant_client, agent, supervisor):
    assert tenant_client(agent).get("/desk/routing/").status_code == 403
    assert tenant_client(supervisor).get("/desk/routing/").status_code == 200


def test_routing_page_saves_strategy_modifiers_and_category_strategies(
    tenant_client, supervisor, category
):
    answer = tenant_client(supervisor).post(
        "/desk/routing/",
        {
            "strategy": "load_balanced",
            "previous_agent": "on",
            f"category_{category.pk}": "skills",
        },
    )
    assert answer.status_code == 302
    settings = RoutingSettings.objects.get()
    assert settings.strategy == "load_balanced" and settings.previous_agent
    assert settings.category_strategies.get().strategy == "skills"


def test_routing_page_sets_an_agents_capacity_skills_and_languages(
    tenant_client, supervisor, agent, django_assert_max_num_queries
):
    client = tenant_client(supervisor)
    answer = client.post(
        f"/desk/routing/agents/{agent.pk}/",
        {"capacity": "6", "skills": "Billing, vip", "languages": ["en"]},
    )
    assert answer.status_code == 302
    profile = AgentProfile.objects.get(user=agent)
    assert (profile.capacity, profile.skills, profile.languages) == (6, ["billing", "vip"], ["en"])
    bad = client.post(f"/desk/routing/agents/{agent.pk}/", {"capacity": "-1"}, follow=True)
    assert "capacity" in bad.content.decode()
    client.get("/desk/routing/")
    with django_assert_max_num_queries(PAGE_MAX):
        assert client.get("/desk/routing/").status_code == 200


@pytest.mark.parametrize("url", ["/desk/team/", "/desk/routing/"])
def test_routing_pages_cost_the_same_queries_for_more_agents(
    tenant_client, supervisor, category, url
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = tenant_client(supervisor)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    AgentProfileFactory(categories=[category])
    before = count()
    for _ in range(4):
        AgentProfileFactory(categories=[category], skills=["vip"])
    assert count() == before <= PAGE_MAX


def test_assignee_picker_shows_status_and_load_and_marks_full_agents(
    tenant_client, supervisor, agent, other_agent
):
    AgentProfileFactory(user=agent, capacity=1)
    AgentProfileFactory(user=other_agent, status="away", capacity=0)
    ticket_assign(ticket=TicketFactory(), actor=None, assignee=agent)
    ticket = TicketFactory()

    page = tenant_client(supervisor).get(f"/desk/tickets/{ticket.number}/").content.decode()

    assert "Alice Agent — online, 1/1" in page and 'data-full="Alice Agent"' in page
    assert "Bob Agent — away, 0/∞" in page
    assert "data-over-capacity=" in page


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_ticket_page_shows_the_routing_reason(tenant_client, request, who):
    AgentProfileFactory()
    routing_configure(strategy="round_robin")
    ticket = TicketFactory()
    ticket_route(ticket_id=ticket.pk)
    page = tenant_client(request.getfixturevalue(who)).get(f"/desk/tickets/{ticket.number}/")
    text = page.content.decode()
    assert 'id="routing-reason"' in text and "round robin:" in text
