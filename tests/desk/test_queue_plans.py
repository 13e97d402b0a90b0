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


def _page_sql(user, filters: dict, ordering: str, offset: int, prepare: bool):
    """The page's tickets and SQL, read through `queue_page`'s compiled read and through
    the queryset `_page_rows` reads (the statements as they went out)."""
    from datetime import UTC, datetime

    from django.test.utils import CaptureQueriesContext

    from desk.queues import (
        SEARCH_VIEW,
        _compiled_page,
        _page_rows,
        generic_plan_fits,
        queue_page,
        queue_queryset,
    )

    assert generic_plan_fits(user, filters, ordering) is prepare
    now = datetime.now(UTC)

    assert _compiled_page(user, filters, ordering, offset) is not None
    with CaptureQueriesContext(connection) as compiled_sql:
        compiled = queue_page(
            user, SEARCH_VIEW, filters, ordering=ordering, page=offset // 50 + 1, now=now, total=999
        ).tickets
    qs = queue_queryset(user, filters, now=now)
    with CaptureQueriesContext(connection) as django_sql:
        rows = _page_rows(user, qs, ordering, offset, prepare=prepare)
    return compiled, rows, compiled_sql.captured_queries, django_sql.captured_queries


def test_a_compiled_queue_page_is_the_pages_own_statement(agent, supervisor, customer):
    from tests.factories import TicketFactory

    TicketFactory.create_batch(4, requester=customer)
    from tickets.models import Ticket

    for ticket in TicketFactory.create_batch(3, requester=customer):
        Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, tags=["vip"])
    cases = [
        (supervisor, {"status": ["OPEN", "IN_PROGRESS"]}, "-updated_at", 0, True),
        (agent, {"assignee": ["me"], "status": ["OPEN"]}, "-updated_at", 0, False),
        (supervisor, {"assignee": ["none"]}, "-created_at", 50, True),
        (agent, {"tag": ["vip"], "sla": ["breached", "at_risk"]}, "number", 0, False),
        (supervisor, {"status": ["OPEN", "IN_PROGRESS"]}, "-priority", 0, True),
        (agent, {"assignee": ["me"]}, "sla", 0, False),
        (supervisor, {"priority": ["HIGH", "LOW"]}, "requester", 50, True),
    ]
    for user, filters, ordering, offset, prepare in cases:
        compiled, rows, compiled_sql, django_sql = _page_sql(
            user, filters, ordering, offset, prepare
        )
        assert [(t.pk, t.requester.email, t.updated_at) for t in compiled] == [
            (t.pk, t.requester.email, t.updated_at) for t in rows
        ], filters
        assert [q["sql"] for q in compiled_sql] == [q["sql"] for q in django_sql], filters
    mine = _page_sql(agent, {"assignee": ["me"]}, "-updated", 0, False)[0]
    assert {t.assignee_id for t in mine} == {agent.pk} and len(mine) == 3
    theirs = _page_sql(supervisor, {"assignee": ["me"]}, "-updated", 0, False)[0]
    assert theirs == []


def test_queue_pages_compiled_only_for_fixed_sql(tenant, agent, category):
    from desk.queues import _compiled_page
    from tests.factories import AgentFactory
    from tickets.models import AgentProfile

    limited = AgentFactory()
    AgentProfile.objects.create(user=limited).categories.add(category)
    assert _compiled_page(limited, {"status": ["OPEN"]}, "-updated", 0) is None
    assert _compiled_page(agent, {"updated": "7d"}, "-updated", 0) is None
    assert _compiled_page(agent, {"q": "refund"}, "-updated", 0) is None
    assert _compiled_page(agent, {"requester": "ann"}, "-updated", 0) is None
    assert _compiled_page(agent, {"status": ["OPEN"]}, "-updated", 5000) is None
    assert _compiled_page(agent, {"status": ["OPEN"]}, "-updated", 0) is not None
