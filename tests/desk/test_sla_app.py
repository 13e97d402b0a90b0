"""With the SLA app: the breached/at-risk queue, countdowns, the SLA panel and
the SLA rates, all read through `Ticket.sla_state`."""

import re

import pytest
from django.utils import timezone

from desk.sla_status import sla_summary
from tests.factories import TicketFactory
from tickets import services


def numbers(page) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', page.content.decode())


@pytest.fixture
def sla_tickets(customer, supervisor):
    from sla.models import TicketSLA

    calm = TicketFactory(requester=customer, subject="Calm")
    late = TicketFactory(requester=customer, subject="Late")
    risky = TicketFactory(requester=customer, subject="Risky")
    closed = TicketFactory(requester=customer, subject="Closed but late")
    services.ticket_status_change(ticket=closed, actor=supervisor, status="CLOSED")
    # The monitor job flags these; here the flags are set directly.
    TicketSLA.objects.filter(pk__in=[late.pk, closed.pk]).update(first_response_breached=True)
    TicketSLA.objects.filter(pk=risky.pk).update(resolution_at_risk=True)
    return {"calm": calm, "late": late, "risky": risky, "closed": closed}


def test_every_new_ticket_has_an_sla_state(sla_tickets):
    state = sla_tickets["calm"].sla_state
    assert state.first_response_due_at is not None


def test_breached_and_at_risk_queue(desk, sla_tickets):
    page = desk.get("/desk/queue/sla/")
    assert page.status_code == 200
    assert set(numbers(page)) == {sla_tickets["late"].number, sla_tickets["risky"].number}
    sidebar = page.content.decode()
    assert re.search(r'data-view="sla">\s*<span>[^<]+</span><span class="count"[^>]*>2<', sidebar)


def test_queue_filters_by_sla_state(desk, sla_tickets):
    breached = numbers(desk.get("/desk/search/?filter=1&sla=breached"))
    assert set(breached) == {sla_tickets["late"].number, sla_tickets["closed"].number}


def test_countdowns_are_coloured(desk, sla_tickets):
    page = desk.get("/desk/queue/open/?sort=sla").content.decode()
    assert 'class="sla sla-breached"' in page and 'class="sla sla-at_risk"' in page
    assert 'class="sla sla-ok"' in page
    assert 'aria-sort="ascending"' in page


def test_ticket_page_shows_the_sla_panel_and_how_it_was_computed(desk, sla_tickets):
    page = desk.get(f"/desk/tickets/{sla_tickets['calm'].number}/").content.decode()
    assert 'id="ticket-sla"' in page and "First response due" in page
    assert "How these were computed" in page


def test_summary_uses_the_flag_of_the_pending_target(sla_tickets):
    now = timezone.now()
    assert sla_summary(sla_tickets["late"], now).state == "breached"
    assert sla_summary(sla_tickets["risky"], now).state == "at_risk"
    assert sla_summary(sla_tickets["calm"], now).state == "ok"


def test_dashboard_shows_sla_rates_and_overdue(desk, agent, sla_tickets, supervisor):
    services.ticket_assign(ticket=sla_tickets["late"], actor=supervisor, assignee=agent)
    page = desk.get("/desk/").content.decode()
    assert re.search(r'data-kpi="my_overdue">1<', page)
    assert "First response SLA met" in page and "SLA met, tickets created in the range" in page


def test_sla_bookkeeping_does_not_trigger_the_collision_warning(desk, ticket, supervisor):
    import re as regex

    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    seen = regex.search(r'name="seen_at" id="id_seen_at" value="([^"]+)"', page).group(1)
    from sla.models import TicketSLA
    from tickets.models import TicketEvent

    TicketEvent.objects.create(
        ticket=ticket,
        actor_label="system",
        event="sla.due_times",
        field="sla",
        before={},
        after={"resolution_due_at": timezone.now().isoformat()},
    )
    assert TicketSLA.objects.filter(pk=ticket.pk).exists()
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Hello", "seen_at": seen},
        HTTP_HX_REQUEST="true",
    )
    assert b"Reply sent." in answer.content
