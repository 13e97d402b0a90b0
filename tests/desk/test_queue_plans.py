"""Which queue pages read through a prepared statement (a generic plan, made once per
connection): those whose values do not change the best plan."""

from __future__ import annotations

from django.db import connection

from desk.queues import DEFAULT_VIEWS_BY_KEY, generic_plan_fits


def test_views_whose_values_leave_the_plan_alone_use_a_generic_plan(supervisor, agent):
    for key in ("open", "unassigned", "waiting", "recent"):
        view = DEFAULT_VIEWS_BY_KEY[key]
        assert generic_plan_fits(supervisor, view.filters, view.ordering), key
    # An assignee's tickets range from none to thousands: plans for the value.
    mine = DEFAULT_VIEWS_BY_KEY["mine"]
    assert not generic_plan_fits(agent, mine.filters, mine.ordering)
    assert not generic_plan_fits(agent, {"status": ["OPEN"], "tag": ["vip"]}, "-updated")
    assert not generic_plan_fits(agent, {"created_after": ["2026-01-01"]}, "-updated")
    assert not generic_plan_fits(agent, {"updated": "24h"}, "-created")


def test_limited_agents_plan_for_their_values(tenant, category):
    from tests.factories import AgentFactory
    from tickets.models import AgentProfile

    limited = AgentFactory()
    AgentProfile.objects.create(user=limited).categories.add(category)
    assert not generic_plan_fits(limited, {"status": ["OPEN"]}, "-updated")


def test_a_queue_page_reads_prepared_and_answers_the_same_rows(desk, customer):
    from tests.factories import TicketFactory

    tickets = TicketFactory.create_batch(3, requester=customer)
    for _ in range(7):  # past PostgreSQL's five custom plans
        page = desk.get("/desk/queue/open/")
    assert page.status_code == 200
    for ticket in tickets:
        assert ticket.subject.encode() in page.content
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%tickets_ticket%%' AND statement LIKE '%%LIMIT 50%%'"
        )
        assert [row[0] for row in cursor.fetchall()]
