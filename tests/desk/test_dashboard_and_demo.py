"""The dashboard's numbers and charts, and the desk's demo data."""

import re

import pytest

from desk.demo import desk_demo_create
from desk.models import CannedResponse, SavedView
from sla.models import TicketSLA
from tests.factories import TicketFactory
from tickets import services


def kpi(page: str, name: str) -> int:
    return int(re.search(rf'data-kpi="{name}">(\d+)<', page).group(1))


def test_dashboard_counts_and_charts(desk, agent, customer, supervisor):
    mine = TicketFactory(requester=customer)
    services.ticket_assign(ticket=mine, actor=supervisor, assignee=agent)
    urgent = TicketFactory(requester=customer, priority="URGENT")
    answered = TicketFactory(requester=customer)
    services.message_add(ticket=answered, actor=supervisor, content="On it")
    # "Overdue" means an SLA target breached (the SLA monitor sets the flag).
    TicketSLA.objects.filter(pk__in=[mine.pk, urgent.pk]).update(first_response_breached=True)
    page = desk.get("/desk/").content.decode()
    assert (kpi(page, "my_open"), kpi(page, "unassigned"), kpi(page, "open")) == (1, 2, 3)
    assert kpi(page, "my_overdue") == 1 and kpi(page, "overdue") == 2
    assert page.count("<svg") >= 4 and 'role="img"' in page
    assert "Open tickets by status" in page and "All tickets by priority" in page
    assert ">Urgent</text>" in page
    # The support statistics of API.md.
    assert re.search(r"Total tickets</dt><dd>3<", page)


def test_dashboard_shows_the_sla_rates(desk, monkeypatch):
    from desk.views import dashboard

    monkeypatch.setattr(
        dashboard,
        "sla_stats",
        lambda **kw: {
            "first_response_sla_rate": 92.5,
            "resolution_sla_rate": 80.0,
            "breached_tickets": 3,
            "at_risk_tickets": 1,
        },
    )
    page = desk.get("/desk/").content.decode()
    assert "SLA met, last 30 days" in page and "92.5%" in page


@pytest.fixture
def people(agent, supervisor):
    return {"supervisor@demo.test": supervisor, "alice@demo.test": agent}


def test_demo_step_adds_canned_responses_and_a_shared_view_once(tenant, people):
    assert desk_demo_create(tenant=tenant, people=people) is True
    assert CannedResponse.objects.filter(owner__isnull=True).count() == 5
    view = SavedView.objects.get(name="Urgent and high, open")
    assert view.is_shared and view.filters["priority"] == ["URGENT", "HIGH"]
    assert desk_demo_create(tenant=tenant, people=people) is False
    assert CannedResponse.objects.count() == 5


def test_admin_lists_canned_responses_and_saved_views(tenant_client, admin_user, people, tenant):
    desk_demo_create(tenant=tenant, people=people)
    client = tenant_client(admin_user)
    assert b"Greeting and next steps" in client.get("/admin/desk/cannedresponse/").content
    assert b"Urgent and high, open" in client.get("/admin/desk/savedview/").content
    assert client.get("/admin/desk/cannedresponse/add/").status_code == 200
