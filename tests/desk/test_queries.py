"""Query counts are bounded: they do not grow with the number of tickets or messages.

The counts include django-tenants' `SET search_path` statements (one per tenant switch since
TENANT_LIMIT_SET_CALLS; before, one per cursor); the numbers in the comments are measured.
"""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CategoryFactory, TicketFactory
from tests.factories.desk import SavedViewFactory
from tickets import services
from tickets.models import AgentProfile, MessageType

# Measured for a category-limited agent: 15 = 13 real queries (the test client's own domain
# lookup, tenant, session, user, agent profile + its categories, two MAX() for the queue
# version, saved views, the sidebar counts aggregate (which also gives the page's total),
# the page rows, categories, staff) + 2 SET search_path (public for the domain, then the
# tenant); a sort no index serves (priority, SLA due, names) sorts the ids first: one query
# more. The bound leaves a little room for page features.
QUEUE_MAX = 20
# 20 real queries: the client's domain lookup, tenant, session, user, profile x2, ticket,
# draft, messages, attachments, history, categories, staff, CCs, saved views, the requester's
# other tickets, presence, and 3 of the knowledge base's `ticket.sidebar` component (first
# message, its lexemes, the ranked articles) + 2 SET search_path (measured: 22).
TICKET_MAX = 26


def counted(client, url) -> int:
    cache.clear()  # sidebar counts are cached per version; count the uncached path
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def limited(agent, category):
    profile = AgentProfile.objects.create(user=agent)
    profile.categories.add(category)
    return agent


def make_tickets(n, customer, category, assignee):
    for i in range(n):
        ticket = TicketFactory(requester=customer, category=category, tags=["a", "b"])
        if i % 2 and assignee:
            services.ticket_assign(ticket=ticket, actor=assignee, assignee=assignee)


def test_queue_page_queries_do_not_grow_with_tickets(
    desk, limited, customer, category, django_assert_max_num_queries
):
    SavedViewFactory(owner=limited, filters={"tag": ["a"]})
    SavedViewFactory(owner=limited, filters={"q": "printer"}, is_shared=True)
    make_tickets(3, customer, category, limited)
    few = counted(desk, "/desk/queue/open/")
    make_tickets(25, customer, CategoryFactory(), None)  # not visible to the agent
    make_tickets(25, customer, category, limited)
    cache.clear()
    with django_assert_max_num_queries(QUEUE_MAX):
        page = desk.get("/desk/queue/open/?sort=-priority")
    assert page.content.count(b"data-number=") == 28
    assert counted(desk, "/desk/queue/open/") == few
    assert counted(desk, "/desk/queue/open/?sort=-priority") == few + 1


def test_ticket_page_queries_do_not_grow_with_messages(
    desk, limited, customer, category, other_agent, django_assert_max_num_queries
):
    ticket = TicketFactory(requester=customer, category=category)
    few = counted(desk, f"/desk/tickets/{ticket.number}/")
    for i in range(8):
        services.message_add(
            ticket=ticket,
            actor=other_agent,
            content=f"reply {i}",
            time_spent=3,
            attachments=services.attachments_prepare(
                [SimpleUploadedFile(f"f{i}.txt", b"x", content_type="text/plain")]
            ),
        )
        services.message_add(
            ticket=ticket,
            actor=limited,
            content=f"note {i}",
            message_type=MessageType.INTERNAL_NOTE,
        )
        services.message_add(ticket=ticket, actor=customer, content=f"answer {i}")
        services.ticket_update(ticket=ticket, actor=limited, tags=[f"t{i}"])
    services.ticket_cc_add(ticket=ticket, actor=limited, user=other_agent)
    with django_assert_max_num_queries(TICKET_MAX):
        page = desk.get(f"/desk/tickets/{ticket.number}/")
    assert page.content.count(b'class="msg msg-') == 25
    assert counted(desk, f"/desk/tickets/{ticket.number}/") == few


def test_polls_that_find_nothing_new_are_cheap(
    desk, ticket, django_assert_max_num_queries, frozen_desk_clock
):
    first = desk.get(f"/desk/tickets/{ticket.number}/live/")
    # The test client looks up the domain itself; then tenant, session, user, profile, ticket.
    with django_assert_max_num_queries(12):
        assert (
            desk.get(
                f"/desk/tickets/{ticket.number}/live/", HTTP_IF_NONE_MATCH=first["ETag"]
            ).status_code
            == 304
        )


@pytest.mark.parametrize(
    "url", ["/desk/queue/sla/", "/desk/queue/open/?sort=sla", "/desk/queue/open/?sort=-sla"]
)
def test_sla_queue_pages_read_the_ticket_columns_in_bounded_queries(
    desk, limited, customer, category, url, django_assert_max_num_queries
):
    from sla.models import TicketSLA

    make_tickets(3, customer, category, limited)
    TicketSLA.objects.update(first_response_breached=True)
    few = counted(desk, url)
    make_tickets(25, customer, category, limited)
    TicketSLA.objects.update(first_response_breached=True)
    cache.clear()
    with django_assert_max_num_queries(QUEUE_MAX):
        page = desk.get(url)
    assert page.content.count(b"data-number=") == 28
    # The page's ids sorted alone, then their rows: one query more than an indexed sort.
    assert counted(desk, url) == few == counted(desk, "/desk/queue/open/") + 1


def test_deep_pages_read_their_ids_first_in_bounded_queries(
    desk, agent, customer, category, monkeypatch, django_assert_max_num_queries
):
    from desk import queues
    from tickets.models import Ticket

    make_tickets(queues.PAGE_SIZE + 5, customer, category, None)
    monkeypatch.setattr(queues, "DEEP_OFFSET", queues.PAGE_SIZE)
    # Past the compiled pages' offsets too, so the page goes through `_page_rows`.
    monkeypatch.setattr(queues, "COMPILED_PAGE_MAX_OFFSET", 0)
    shallow = counted(desk, "/desk/queue/open/")
    cache.clear()
    with django_assert_max_num_queries(QUEUE_MAX):
        page = desk.get("/desk/queue/open/?page=2")
    ordered = Ticket.objects.open().order_by("-updated_at", "-pk")
    wanted = [t.number for t in ordered[queues.PAGE_SIZE :]]
    html = page.content.decode()
    assert page.content.count(b"data-number=") == len(wanted) == 5
    assert sorted(wanted, key=html.index) == wanted
    # The page's ids alone, then their rows: one query more than the first page.
    assert counted(desk, "/desk/queue/open/?page=2") == shallow + 1
