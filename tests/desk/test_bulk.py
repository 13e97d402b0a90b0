"""Bulk actions run each ticket through its service and report what failed."""

import pytest

from tests.factories import TicketFactory
from tickets import services
from tickets.models import Status, Ticket, TicketEvent


@pytest.fixture
def three(customer):
    return [TicketFactory(requester=customer, subject=f"Bulk {i}") for i in range(3)]


def bulk(desk, tickets, **data):
    payload = {"tickets": [str(t.pk) for t in tickets], "next": "/desk/queue/open/", **data}
    return desk.post("/desk/bulk/", payload, follow=True)


def test_bulk_assign_to_a_colleague(desk, three, other_agent, events):
    page = bulk(desk, three, action="assign", assignee=str(other_agent.pk))
    assert page.redirect_chain[-1][0] == "/desk/queue/open/"
    assert {t.assignee_id for t in Ticket.objects.filter(pk__in=[t.pk for t in three])} == {
        other_agent.pk
    }
    assert TicketEvent.objects.filter(event="ticket.assigned", field="assignee").count() == 3
    assert [e.name for e in events].count("ticket.assigned") == 3
    assert b"Assigned 3 tickets (" in page.content


def test_bulk_assign_to_me_and_unassign(desk, three, agent):
    bulk(desk, three, action="assign", assignee="me")
    assert Ticket.objects.filter(assignee=agent).count() == 3
    bulk(desk, three, action="assign", assignee="none")
    assert Ticket.objects.filter(assignee__isnull=True).count() == 3


def test_bulk_status_reports_transitions_that_are_not_allowed(desk, three, supervisor):
    services.ticket_status_change(ticket=three[0], actor=supervisor, status=Status.CLOSED)
    page = bulk(desk, three, action="status", status="RESOLVED")
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses[three[0].number] == "CLOSED"
    assert statuses[three[1].number] == statuses[three[2].number] == "RESOLVED"
    assert f"{three[0].number}: A ticket cannot go from CLOSED to RESOLVED".encode() in page.content


def test_bulk_priority_and_tags(desk, three):
    bulk(desk, three, action="priority", priority="URGENT")
    bulk(desk, three[:2], action="tags_add", tags="VIP, billing")
    bulk(desk, three[:1], action="tags_remove", tags="vip")
    rows = {t.number: t for t in Ticket.objects.all()}
    assert {t.priority for t in rows.values()} == {"URGENT"}
    assert rows[three[0].number].tags == ["billing"]
    assert rows[three[1].number].tags == ["vip", "billing"]
    assert rows[three[2].number].tags == []


def test_bulk_needs_a_value(desk, three):
    page = bulk(desk, three, action="priority")
    assert b"Choose a value for this action." in page.content
    assert not Ticket.objects.exclude(priority="MEDIUM").exists()


def test_bulk_merge_goes_to_the_preview_and_merges_nothing_yet(desk, three):
    answer = desk.post(
        "/desk/bulk/",
        {"tickets": [str(t.pk) for t in three], "action": "merge", "next": "/desk/queue/open/"},
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith("/desk/merge/?tickets=")
    assert not Ticket.objects.filter(merged_into__isnull=False).exists()
    page = desk.get(answer["Location"])
    assert page.status_code == 200
    for ticket in three:
        assert ticket.number.encode() in page.content


def test_bulk_with_nothing_selected_says_so_once(desk):
    page = desk.post(
        "/desk/bulk/", {"action": "priority", "next": "/desk/queue/open/"}, follow=True
    )
    assert page.content.count(b"Select at least one ticket first.") == 1
    assert b"This field is required." not in page.content


def test_bulk_feedback_is_in_words(desk, three):
    page = bulk(desk, three[:2], action="priority", priority="HIGH")
    assert b"Priority set on 2 tickets (" in page.content


def test_bulk_ignores_a_redirect_to_another_host(desk, three):
    answer = desk.post(
        "/desk/bulk/",
        {
            "tickets": [str(three[0].pk)],
            "action": "priority",
            "priority": "LOW",
            "next": "https://evil.example/",
        },
    )
    assert answer["Location"] == "/desk/queue/open/"
