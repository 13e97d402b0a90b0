"""Queues: default views, filters, sorting, paging, sidebar counts and saved views."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk import queues
from desk.models import SavedView
from tests.desk.conftest import HTMX
from tests.factories import CustomerFactory, TicketFactory
from tests.factories.desk import SavedViewFactory
from tickets import services


def numbers(page) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', page.content.decode())


@pytest.fixture
def board(agent, other_agent, customer, supervisor):
    """Five tickets in different states: mine, Bob's, unassigned, waiting, closed."""
    mine = TicketFactory(requester=customer, subject="Mine", priority="LOW")
    services.ticket_assign(ticket=mine, actor=supervisor, assignee=agent)
    bobs = TicketFactory(requester=customer, subject="Bobs", priority="URGENT")
    services.ticket_assign(ticket=bobs, actor=supervisor, assignee=other_agent)
    loose = TicketFactory(requester=customer, subject="Loose", priority="HIGH", tags=["vip"])
    waiting = TicketFactory(requester=customer, subject="Waiting")
    services.ticket_status_change(ticket=waiting, actor=supervisor, status="WAITING_ON_CUSTOMER")
    done = TicketFactory(requester=customer, subject="Done")
    services.ticket_status_change(ticket=done, actor=supervisor, status="CLOSED")
    return {"mine": mine, "bobs": bobs, "loose": loose, "waiting": waiting, "done": done}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", {"mine"}),
        ("unassigned", {"loose", "waiting"}),
        ("open", {"mine", "bobs", "loose", "waiting"}),
        ("waiting", {"waiting"}),
        ("recent", {"mine", "bobs", "loose", "waiting", "done"}),
    ],
)
def test_default_views_list_the_right_tickets(desk, board, view, expected):
    page = desk.get(f"/desk/queue/{view}/")
    assert page.status_code == 200
    assert set(numbers(page)) == {board[name].number for name in expected}


def test_unknown_queue_is_404(desk):
    assert desk.get("/desk/queue/nope/").status_code == 404


def test_sidebar_shows_counts_per_view(desk, board):
    page = desk.get("/desk/queue/open/").content.decode()
    counts = dict(
        re.findall(r'data-view="(\w+)">\s*<span>[^<]+</span><span class="count"[^>]*>(\d+)<', page)
    )
    expected = {"mine": "1", "unassigned": "2", "open": "4", "waiting": "1", "recent": "5"}
    if "sla" in counts:  # with the SLA app: nothing is breached or at risk yet
        expected["sla"] = "0"
    assert counts == expected


def test_sorting_by_priority_both_ways(desk, board):
    down = numbers(desk.get("/desk/queue/open/?sort=-priority"))
    assert down[0] == board["bobs"].number and down[-1] == board["mine"].number
    up = numbers(desk.get("/desk/queue/open/?sort=priority"))
    assert up == down[::-1] or up[0] == board["mine"].number


def test_sort_headers_link_to_the_other_direction(desk, board):
    page = desk.get("/desk/queue/open/?sort=priority").content.decode()
    assert 'aria-sort="ascending"' in page
    assert "sort=-priority" in page


def test_paging(desk, board, monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    first = desk.get("/desk/queue/open/?sort=number")
    second = desk.get("/desk/queue/open/?sort=number&page=2")
    assert len(numbers(first)) == 2 and len(numbers(second)) == 2
    assert not set(numbers(first)) & set(numbers(second))
    assert b'rel="next"' in first.content and b'rel="prev"' in second.content
    # A page past the end shows the last page rather than an error.
    assert numbers(desk.get("/desk/queue/open/?sort=number&page=99")) == numbers(second)


def test_filter_form_overrides_the_view(desk, board):
    page = desk.get("/desk/queue/open/?filter=1&priority=URGENT&priority=HIGH&status=OPEN")
    assert set(numbers(page)) == {board["bobs"].number, board["loose"].number}
    page = desk.get("/desk/search/?filter=1&tag=vip")
    assert numbers(page) == [board["loose"].number]
    assert numbers(desk.get("/desk/search/?filter=1&tag=vip,%20other")) == []
    page = desk.get("/desk/search/?filter=1&q=Waiting")
    assert numbers(page) == [board["waiting"].number]


def test_normalize_filters_keeps_only_valid_values():
    from django.http import QueryDict

    raw = QueryDict(
        "status=OPEN&status=BOGUS&priority=HIGH&assignee=me&assignee=x&category=none"
        "&tag=%20VIP%20Customer&q=%20printer%20&updated=1y&sla=breached&evil=1"
    )
    assert queues.normalize_filters(raw) == {
        "status": ["OPEN"],
        "priority": ["HIGH"],
        "assignee": ["me"],
        "category": ["none"],
        "tag": ["vip customer"],
        "sla": ["breached"],
        "q": "printer",
    }


def test_save_a_view_from_filters(desk, agent, board):
    answer = desk.post(
        "/desk/views/",
        {"name": "VIP", "tag": "vip", "status": "OPEN", "ordering": "-priority"},
    )
    view = SavedView.objects.get(name="VIP")
    assert answer["Location"] == f"/desk/views/{view.pk}/"
    assert view.owner == agent and not view.is_shared
    assert view.filters == {"status": ["OPEN"], "tag": ["vip"]}
    assert view.ordering == "-priority"
    page = desk.get(f"/desk/views/{view.pk}/")
    assert numbers(page) == [board["loose"].number]
    assert b"VIP" in desk.get("/desk/").content


def test_personal_views_are_private_and_shared_views_are_not(tenant_client, agent, other_agent):
    personal = SavedViewFactory(owner=other_agent, name="Bob only")
    shared = SavedViewFactory(owner=other_agent, name="Team view", is_shared=True)
    client = tenant_client(agent)
    assert client.get(f"/desk/views/{personal.pk}/").status_code == 404
    assert client.get(f"/desk/views/{shared.pk}/").status_code == 200
    sidebar = client.get("/desk/queue/open/").content
    assert b"Team view" in sidebar and b"Bob only" not in sidebar


def test_only_owner_or_supervisor_may_change_a_shared_view(
    tenant_client, agent, other_agent, supervisor
):
    shared = SavedViewFactory(owner=other_agent, name="Team view", is_shared=True)
    tenant_client(agent).post(f"/desk/views/{shared.pk}/delete/")
    assert SavedView.objects.filter(pk=shared.pk).exists()
    tenant_client(supervisor).post(f"/desk/views/{shared.pk}/edit/", {"name": "Renamed"})
    shared.refresh_from_db()
    assert shared.name == "Renamed"
    tenant_client(other_agent).post(f"/desk/views/{shared.pk}/delete/")
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_view_names_are_unique_per_owner(desk, agent):
    desk.post("/desk/views/", {"name": "Mine", "status": "OPEN"})
    answer = desk.post("/desk/views/", {"name": "Mine", "status": "CLOSED"}, follow=True)
    assert SavedView.objects.filter(owner=agent).count() == 1
    assert b"already have a view named" in answer.content


def test_update_a_saved_view_with_new_filters(desk, agent):
    view = SavedViewFactory(owner=agent, name="Open")
    desk.post(
        f"/desk/views/{view.pk}/edit/",
        {"name": "Urgent", "filter": "1", "priority": "URGENT", "is_shared": "on"},
    )
    view.refresh_from_db()
    assert (view.name, view.is_shared, view.filters) == ("Urgent", True, {"priority": ["URGENT"]})


def test_counts_of_all_views_come_from_one_aggregate(agent, board):
    views = queues.default_views() + [
        queues.as_queue_view(SavedViewFactory(owner=agent, filters={"tag": ["vip"]}))
    ]
    with CaptureQueriesContext(connection) as captured:
        counts = queues.view_counts(agent, views, now=timezone.now())
    assert [q["sql"].count("COUNT(") for q in captured if "COUNT(" in q["sql"]] == [len(views)]
    assert counts["open"] == 4 and counts[views[-1].key] == 1


def test_counts_fragment_polls_with_etag(desk, board, frozen_desk_clock):
    first = desk.get("/desk/counts/", **HTMX)
    assert first.status_code == 200 and first["ETag"]
    again = desk.get("/desk/counts/", HTTP_IF_NONE_MATCH=first["ETag"], **HTMX)
    assert again.status_code == 304


def test_counts_fragment_keeps_polling_and_follows_changes(desk, board):
    fragment = desk.get("/desk/counts/?active=open", **HTMX).content.decode()
    assert 'hx-get="/desk/counts/?active=open"' in fragment
    assert "ticket-changed from:body" in fragment and "load," not in fragment


def test_searching_a_ticket_number_opens_the_ticket(desk, board):
    number = board["loose"].number
    answer = desk.get(f"/desk/search/?filter=1&q={number.lower()}")
    assert answer.status_code == 302 and answer["Location"] == f"/desk/tickets/{number}/"
    assert desk.get(f"/desk/search/?filter=1&q={number}&status=CLOSED").status_code == 200


def test_queue_rows_escape_what_people_typed(desk, agent, supervisor):
    """The rows are built in Python (desk/queue_rows.py): every value is escaped there."""
    requester = CustomerFactory(name="<i>Eve</i>", email="eve@example.com")
    ticket = TicketFactory(requester=requester, subject="<script>x</script>", tags=["<b>"])
    services.ticket_assign(ticket=ticket, actor=supervisor, assignee=agent)
    page = desk.get("/desk/queue/open/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert '<span\n        class="tag">&lt;b&gt;</span>' in page
    assert f'href="/desk/customers/{requester.pk}/">&lt;i&gt;Eve&lt;/i&gt;</a>' in page
    assert f'<tr data-href="/desk/tickets/{ticket.number}/" data-id="{ticket.pk}"' in page
