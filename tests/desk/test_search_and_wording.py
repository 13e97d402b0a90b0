"""Search that finds (partial numbers, requester name or email, the query never ignored),
SLA shown right on finished tickets, and wording ("1 message", never "0 minutes")."""

from __future__ import annotations

from django.utils import timezone

from desk.sla_status import sla_summary
from tests.factories import CustomerFactory, TicketFactory
from tickets import services
from tickets.models import Status, Ticket


def _search(desk, q, **extra):
    return desk.get("/desk/search/", {"q": q, "filter": "1", **extra})


def test_partial_numbers_find_the_ticket(desk, customer):
    tickets = [TicketFactory(requester=customer, subject=f"Subject {n}") for n in range(4)]
    wanted = tickets[3]
    digits = str(int(wanted.number.rsplit("-", 1)[1]))
    for query in (digits, wanted.number.rsplit("-", 1)[1], "-".join(wanted.number.split("-")[1:])):
        page = _search(desk, query, status="OPEN")
        assert wanted.subject.encode() in page.content, query
        assert tickets[0].subject.encode() not in page.content, query


def test_requester_name_or_email_in_the_box(desk):
    dora = CustomerFactory(name="Dora Explorer", email="dora@maps.example")
    TicketFactory(requester=dora, subject="Map is wrong")
    TicketFactory(subject="Something else")
    for query in ("dora@maps.example", "Explorer", "maps.example"):
        page = _search(desk, query)
        assert b"Map is wrong" in page.content
        assert b"Something else" not in page.content


def test_query_without_filter_flag_is_not_ignored(desk, customer):
    TicketFactory(requester=customer, subject="Refund for order 7")
    TicketFactory(requester=customer, subject="Printer broken")
    page = desk.get("/desk/search/", {"q": "refund"})
    assert b"Refund for order 7" in page.content
    assert b"Printer broken" not in page.content


def test_resolved_ticket_shows_outcome_not_countdown(desk, agent, ticket, customer):
    services.ticket_status_change(ticket=ticket, actor=customer, status=Status.RESOLVED)
    ticket.refresh_from_db()
    summary = sla_summary(ticket, timezone.now())
    assert summary is not None
    assert summary.due_at is None and summary.state in ("met", "breached")
    assert any("met" in line or "breached" in line for line in summary.outcome)
    page = desk.get(f"/desk/tickets/{ticket.number}/")
    assert b"before it was due" in page.content


def test_wording_one_message_and_just_now(desk, ticket):
    page = desk.get(f"/desk/tickets/{ticket.number}/")
    assert b"1 message<" in page.content or b"1 message " in page.content
    assert b"1 messages" not in page.content
    queue = desk.get("/desk/queue/open/")
    assert b"just now" in queue.content
    assert b"0 minutes" not in queue.content


def test_assignee_changes_read_with_names(desk, agent, other_agent, ticket):
    services.ticket_assign(ticket=ticket, actor=agent, assignee=other_agent)
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Assignee: nobody → Bob Agent" in page
    assert f"→ {other_agent.email}" not in page


def test_typo_offers_a_correction_that_finds_the_ticket(desk, customer):
    TicketFactory(requester=customer, subject="Invoice charged twice")
    page = _search(desk, "invioce")
    assert b'id="did-you-mean"' in page.content
    assert b">invoice</a>" in page.content
    assert b"Invoice charged twice" in _search(desk, "invoice").content


def test_category_limited_agents_get_no_suggestions(tenant_client, customer, category):
    from tests.factories import AgentFactory
    from tickets.models import AgentProfile

    limited = AgentFactory()
    AgentProfile.objects.create(user=limited).categories.add(category)
    TicketFactory(requester=customer, subject="Secret merger plans")
    page = tenant_client(limited).get("/desk/search/", {"q": "mergre", "filter": "1"})
    assert b'id="did-you-mean"' not in page.content


def test_search_counts_exactly_the_rows_it_pages_through(agent, customer):
    """The count (index-answered `= ANY(ARRAY())` conditions) and the rows (hashed `IN`
    probes along the sort's index) are two forms of one search: they must agree, across
    pages, on text in subjects and messages, requester matches and the other filters."""
    from desk.queues import PAGE_SIZE, default_views, queue_page

    by_name = CustomerFactory(name="Quentin Invoice", email="quentin@example.test")
    subject_hits = [TicketFactory(requester=customer, subject=f"Invoice {n}") for n in range(7)]
    message_hit = TicketFactory(requester=customer, subject="Billing question")
    services.message_add(ticket=message_hit, actor=customer, content="About my invoice, again.")
    people_hits = TicketFactory.create_batch(3, requester=by_name, subject="Hello")
    closed = TicketFactory(requester=customer, subject="Invoice closed")
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    TicketFactory.create_batch(PAGE_SIZE, requester=customer, subject="Unrelated")
    view = default_views()[0]
    expected = {t.pk for t in (*subject_hits, message_hit, *people_hits)}

    page = queue_page(
        agent,
        view,
        {"q": "invoice", "status": ["OPEN"]},
        ordering="-updated_at",
        page=1,
        now=timezone.now(),
    )
    assert page.total == len(expected)
    assert {t.pk for t in page.tickets} == expected
    everything = queue_page(
        agent, view, {"q": "invoice"}, ordering="-updated_at", page=1, now=timezone.now()
    )
    assert everything.total == len(expected) + 1
    assert closed.pk in {t.pk for t in everything.tickets}


def test_a_search_page_matches_the_text_in_one_statement(desk, customer):
    """The page and its count share one full-text match (a WITH query), whoever searches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        TicketFactory(requester=customer, subject=f"Invoice {n}")
    with CaptureQueriesContext(connection) as ctx:
        page = _search(desk, "invoice")
    assert page.status_code == 200
    matching = [q["sql"] for q in ctx.captured_queries if "websearch_to_tsquery" in q["sql"]]
    assert len(matching) == 1
    assert b'id="queue-total">3<' in page.content


def test_search_counts_agree_for_limited_agents_and_past_the_last_page(
    tenant_client, agent, customer, category
):
    from desk.queues import PAGE_SIZE, SEARCH_VIEW, queue_page
    from tests.factories import AgentFactory
    from tickets.models import AgentProfile

    limited = AgentFactory()
    AgentProfile.objects.create(user=limited).categories.add(category)
    seen = TicketFactory.create_batch(3, requester=customer, subject="Invoice", category=category)
    TicketFactory.create_batch(2, requester=customer, subject="Invoice")  # other category
    now = timezone.now()

    mine = queue_page(limited, SEARCH_VIEW, {"q": "invoice"}, ordering="-updated", page=1, now=now)
    assert mine.total == 3
    assert {t.pk for t in mine.tickets} == {t.pk for t in seen}
    everyone = queue_page(
        agent, SEARCH_VIEW, {"q": "invoice"}, ordering="priority", page=1, now=now
    )
    assert everyone.total == 5 and len(everyone.tickets) == 5
    past = queue_page(agent, SEARCH_VIEW, {"q": "invoice"}, ordering="-updated", page=9, now=now)
    assert (past.number, past.total, len(past.tickets)) == (1, 5, 5)
    none = queue_page(agent, SEARCH_VIEW, {"q": "zebra"}, ordering="-updated", page=3, now=now)
    assert (none.number, none.total, none.tickets) == (1, 0, [])
    assert PAGE_SIZE > 5


def test_like_characters_in_the_box_match_themselves(desk):
    # The search page's statement is compiled once with a marker for the text (see
    # `desk.queues._CompiledSearch`): each text is put back escaped for LIKE, as Django does.
    promo = CustomerFactory(name="Promo 50%_off Team", email="promo@shop.example")
    other = CustomerFactory(name="Promo 50xxoff Team", email="other@shop.example")
    TicketFactory(requester=promo, subject="Wanted zebra")
    TicketFactory(requester=other, subject="Unwanted yak")
    for query in ("50%_off", "Promo 50%_off", "50%_off"):
        page = _search(desk, query)
        assert b"Wanted zebra" in page.content, query
        assert b"Unwanted yak" not in page.content, query
    page = _search(desk, "yak")
    assert b"Unwanted yak" in page.content and b"Wanted zebra" not in page.content
