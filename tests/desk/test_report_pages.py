"""The report pages: filters, SVG charts with tables beneath, the previous period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reports.services import reports_refresh
from tests.factories import TicketFactory
from tickets import services
from tickets.models import Status

NAMES = [
    "overview",
    "response-times",
    "sla",
    "agents",
    "categories",
    "tags",
    "satisfaction",
    "knowledge-base",
]


@pytest.fixture
def worked(customer, agent, other_agent):
    for owner in (agent, other_agent):
        ticket = TicketFactory(requester=customer, tags=["printer"])
        services.ticket_assign(ticket=ticket, actor=owner, assignee=owner)
        services.message_add(ticket=ticket, actor=owner, content="On it.")
        services.ticket_status_change(ticket=ticket, actor=owner, status=Status.RESOLVED)
    reports_refresh()


@pytest.mark.parametrize("name", NAMES)
def test_every_report_page_renders_a_chart_and_its_table(tenant_client, supervisor, worked, name):
    response = tenant_client(supervisor).get(f"/desk/reports/{name}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="img"' in page
    assert "<table" in page
    assert "Compared with the previous period" in page
    assert f"/api/v1/reports/{name}/?format=csv" in page


def test_overview_shows_created_and_solved(tenant_client, supervisor, worked):
    page = tenant_client(supervisor).get("/desk/reports/").content.decode()
    assert "Created and solved" in page
    assert "<polyline" in page
    today = timezone.now().date()
    assert f"<td>{today}</td><td>2</td><td>2</td>" in page


def test_agents_see_their_own_figures(tenant_client, agent, other_agent, worked):
    page = tenant_client(agent).get("/desk/reports/agents/").content.decode()
    assert "These are your own figures." in page
    assert agent.email in page
    assert other_agent.email not in page
    assert 'name="agent"' not in page


def test_supervisors_filter_by_agent(tenant_client, supervisor, agent, other_agent, worked):
    page = tenant_client(supervisor).get(f"/desk/reports/agents/?agent={agent.pk}").content.decode()
    assert agent.email in page.split('<h2 id="rows-title">')[1]
    assert other_agent.email not in page.split('<h2 id="rows-title">')[1]


def test_bad_ranges_are_400_with_a_message(tenant_client, supervisor):
    client = tenant_client(supervisor)
    inverted = client.get("/desk/reports/?start=2026-03-04&end=2026-03-01")
    assert inverted.status_code == 400
    assert "end must not be before start" in inverted.content.decode()
    too_long = client.get("/desk/reports/?start=2010-01-01&end=2026-01-01")
    assert too_long.status_code == 400
    assert client.get("/desk/reports/?start=nonsense").status_code == 400


def test_weekly_interval(tenant_client, supervisor, worked):
    today = timezone.now().date()
    start = today - dt.timedelta(days=today.weekday() + 14)
    response = tenant_client(supervisor).get(
        f"/desk/reports/sla/?start={start}&end={today}&interval=week"
    )
    assert response.status_code == 200


def test_unknown_report_is_404(tenant_client, supervisor):
    assert tenant_client(supervisor).get("/desk/reports/weather/").status_code == 404


def test_customers_are_sent_to_the_portal(tenant_client, customer):
    response = tenant_client(customer).get("/desk/reports/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sidebar_links_to_reports(tenant_client, supervisor):
    assert 'href="/desk/reports/"' in tenant_client(supervisor).get("/desk/").content.decode()


def test_report_page_queries_do_not_grow_with_tickets(
    tenant_client, supervisor, customer, agent, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count):
        for _ in range(count):
            ticket = TicketFactory(requester=customer, tags=["printer"])
            services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
            services.ticket_status_change(ticket=ticket, actor=agent, status=Status.RESOLVED)
        reports_refresh()

    client = tenant_client(supervisor)
    add(1)
    counts = {}
    for name in NAMES:
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/desk/reports/{name}/")
        counts[name] = len(captured.captured_queries)
    add(10)
    for name in NAMES:
        with django_assert_max_num_queries(counts[name], info=name):
            client.get(f"/desk/reports/{name}/")
