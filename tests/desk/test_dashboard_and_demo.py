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
    # Each chart is a labelled group (its bars are links, so not role="img").
    assert page.count("<svg") >= 4
    assert 'role="group" aria-label="Open tickets by status"' in page
    assert "Open tickets by status" in page
    assert "Tickets created in the range, by priority" in page
    assert ">Urgent</text>" in page
    # The support statistics of API.md, over the date range (last 30 days by default).
    assert re.search(r"Created in the range</dt><dd>3<", page)


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
    assert "SLA met, tickets created in the range" in page and "92.5%" in page


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


def test_tiles_say_what_they_count_and_open_the_matching_queue(desk, agent, customer):
    page = desk.get("/desk/").content.decode()

    assert "Assigned to you, open, with a breached SLA target" in page
    assert "Every open ticket you can see, whoever owns it" in page
    # "My overdue" opens my breached tickets, not the team's Breached / at risk queue.
    my_overdue = re.search(
        r'<a class="kpi[^"]*" href="([^"]+)"[^>]*>\s*<span class="kpi-value" data-kpi="my_overdue"',
        page,
    )
    url = my_overdue.group(1).replace("&amp;", "&")
    assert "assignee=me" in url and "sla=breached" in url
    mine = TicketFactory(requester=customer, subject="Mine and late")
    services.ticket_assign(ticket=mine, actor=agent, assignee=agent)
    TicketFactory(requester=customer, subject="Someone else's and late")
    TicketSLA.objects.update(first_response_breached=True)
    listed = desk.get(url).content.decode()
    assert "Mine and late" in listed and "Someone else&#x27;s and late" not in listed


def test_category_bars_use_the_category_colour_and_link_to_the_range(desk, customer):
    from tests.factories import CategoryFactory

    billing = CategoryFactory(name="Paint shop", color="#ff00aa")
    TicketFactory(requester=customer, category=billing, subject="Invoice wrong")
    TicketFactory(requester=customer, subject="No category")

    page = desk.get("/desk/?days=7").content.decode()

    assert 'fill="#ff00aa"' in page
    link = re.search(rf'href="([^"]*category={billing.pk}[^"]*)"', page).group(1)
    link = link.replace("&amp;", "&")
    assert "created_after=" in link and "created_before=" in link
    listed = desk.get(link).content.decode()
    assert "Invoice wrong" in listed and "No category" not in listed


def test_the_date_range_limits_the_statistics(desk, customer):
    from datetime import timedelta

    from django.utils import timezone

    from tickets.models import Ticket

    old = TicketFactory(requester=customer, subject="Long ago")
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    TicketFactory(requester=customer, subject="Recent")

    recent = desk.get("/desk/?days=30").content.decode()
    assert re.search(r"Created in the range</dt><dd>1<", recent)
    start = (timezone.localdate() - timedelta(days=90)).isoformat()
    wide = desk.get(f"/desk/?from={start}").content.decode()
    assert re.search(r"Created in the range</dt><dd>2<", wide)
    assert desk.get("/desk/?from=nonsense&to=2026-13-40&days=x").status_code == 200


def test_team_load_names_people_not_addresses(desk, agent, customer):
    from tests.factories import AgentFactory

    nameless = AgentFactory(name="", email="quiet.person@demo.test")
    ticket = TicketFactory(requester=customer)
    services.ticket_assign(ticket=ticket, actor=agent, assignee=nameless)

    page = desk.get("/desk/").content.decode()

    assert "quiet.person@demo.test" not in page
    assert ">quiet.person</text>" in page


def test_dashboard_query_budget(desk, customer, django_assert_max_num_queries):
    for n in range(5):
        TicketFactory(requester=customer, subject=f"T{n}")
    desk.get("/desk/")
    with django_assert_max_num_queries(20):
        assert desk.get("/desk/?days=7").status_code == 200
