"""The merge dialog: preview first, survivor chosen explicitly, a strong warning across
requesters, then the merge (bulk and "Merge into…" use the same dialog)."""

from __future__ import annotations

from desk.views.merge import merge_url
from tests.conftest import in_schema
from tests.desk.conftest import HTMX
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets.models import Message, Ticket


def test_preview_lists_what_moves_and_warns_across_requesters(desk, customer):
    other = CustomerFactory(name="Dave Other", email="dave@other.example")
    mine = TicketFactory(requester=customer, subject="Mine")
    theirs = TicketFactory(requester=other, subject="Theirs")
    page = desk.get(merge_url([mine.pk, theirs.pk]))
    assert page.status_code == 200
    assert b'name="target"' in page.content and b" checked" not in page.content
    assert b"Choose the surviving ticket" in page.content
    assert b"merge-confirm" in page.content and b"disabled" in page.content

    page = desk.get(merge_url([mine.pk, theirs.pk], target=str(mine.pk)), **HTMX)
    assert b"Different customers!" in page.content
    assert b"become internal notes" in page.content or b"becomes an internal note" in page.content
    assert theirs.number.encode() in page.content


def test_same_requester_has_no_warning(desk, customer):
    first = TicketFactory(requester=customer)
    second = TicketFactory(requester=customer)
    page = desk.get(merge_url([first.pk, second.pk], target=str(second.pk)), **HTMX)
    assert b"Different customers!" not in page.content
    assert b"same requester" in page.content


def test_merge_needs_an_explicit_survivor(desk, customer):
    first = TicketFactory(requester=customer)
    second = TicketFactory(requester=customer)
    answer = desk.post(
        "/desk/merge/apply/", {"tickets": [str(first.pk), str(second.pk)]}, follow=True
    )
    assert b"Choose the ticket that survives the merge." in answer.content
    assert not Ticket.objects.filter(merged_into__isnull=False).exists()


def test_merge_applies_with_notes_across_requesters_and_opens_the_survivor(desk, customer):
    other = CustomerFactory()
    mine = TicketFactory(requester=customer)
    theirs = TicketFactory(requester=other)
    answer = desk.post(
        "/desk/merge/apply/",
        {"tickets": [str(mine.pk), str(theirs.pk)], "target": str(mine.pk)},
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/desk/tickets/{mine.number}/"
    theirs.refresh_from_db()
    assert theirs.merged_into == mine
    moved = Message.objects.filter(moved_from=theirs)
    assert set(moved.values_list("message_type", flat=True)) == {"INTERNAL_NOTE"}


def test_make_public_must_be_ticked(desk, customer):
    other = CustomerFactory()
    mine = TicketFactory(requester=customer)
    theirs = TicketFactory(requester=other)
    desk.post(
        "/desk/merge/apply/",
        {"tickets": [str(mine.pk), str(theirs.pk)], "target": str(mine.pk), "make_public": "on"},
    )
    moved = Message.objects.filter(moved_from=theirs)
    assert set(moved.values_list("message_type", flat=True)) == {"CUSTOMER_REPLY"}


def test_merge_into_from_a_ticket_adds_the_other_by_number(desk, customer):
    ticket = TicketFactory(requester=customer)
    other = TicketFactory(requester=customer)
    page = desk.get(merge_url([ticket.pk], add=other.number.lower()), **HTMX)
    assert other.number.encode() in page.content
    missing = desk.get(merge_url([ticket.pk], add="SUP-1999-00000001"), **HTMX)
    assert b"that you can see" in missing.content
    assert (
        f'data-merge-open="{ticket.pk}"'.encode()
        in desk.get(f"/desk/tickets/{ticket.number}/").content
    )


def test_tickets_the_agent_cannot_see_are_ignored(desk, customer, other_tenant):
    mine = TicketFactory(requester=customer)
    with in_schema(other_tenant):
        foreign = TicketFactory(requester=CustomerFactory(), actor=AgentFactory())
    page = desk.get(merge_url([mine.pk, foreign.pk]))
    assert foreign.subject.encode() not in page.content


def test_preview_queries_do_not_grow_with_tickets(desk, customer, django_assert_max_num_queries):
    tickets = [TicketFactory(requester=CustomerFactory()) for _ in range(8)]
    with django_assert_max_num_queries(24):
        page = desk.get(merge_url([t.pk for t in tickets], target=str(tickets[0].pk)), **HTMX)
    assert page.status_code == 200
