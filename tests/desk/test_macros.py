"""Macros: canned responses that carry actions, applied with the reply in one go; personal
and shared; line breaks kept in the preview and the sent message."""

from __future__ import annotations

import pytest

from desk import services as desk_services
from panel1.exceptions import DomainError, PermissionDenied
from tests.desk.conftest import HTMX
from tests.factories.desk import CannedResponseFactory
from tickets.models import MessageType, Ticket


@pytest.fixture
def macro(tenant, category, other_agent):
    return CannedResponseFactory(
        title="Need logs",
        content="Thanks,\nplease send the logs.\nAlice",
        actions={
            "status": "WAITING_ON_CUSTOMER",
            "priority": "HIGH",
            "category": str(category.pk),
            "tags": ["logs"],
            "assignee": "me",
            "cc": ["boss@customer.test"],
            "note": "Asked for logs via macro",
        },
    )


def _reply(desk, ticket, **data):
    return desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Thanks,\nplease send the logs.\nAlice", **data},
        **HTMX,
    )


def test_macro_applies_every_action_with_the_reply(desk, agent, ticket, macro, category):
    answer = _reply(desk, ticket, macro=str(macro.pk))
    assert answer.status_code == 200 and b"Reply sent" in answer.content
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "WAITING_ON_CUSTOMER"
    assert ticket.priority == "HIGH"
    assert ticket.category == category
    assert "logs" in ticket.tags
    assert ticket.assignee == agent
    assert ticket.cc.filter(email="boss@customer.test").exists()
    kinds = list(ticket.messages.values_list("message_type", flat=True))
    assert MessageType.STAFF_REPLY in kinds and MessageType.INTERNAL_NOTE in kinds
    macro.refresh_from_db()
    assert macro.usage_count == 1


def test_status_chosen_in_the_reply_box_wins_over_the_macro(desk, ticket, macro):
    _reply(desk, ticket, macro=str(macro.pk), status_after="ON_HOLD")
    assert Ticket.objects.get(pk=ticket.pk).status == "ON_HOLD"


def test_someone_elses_personal_macro_is_not_applied(desk, ticket, other_agent):
    theirs = CannedResponseFactory(owner=other_agent, actions={"priority": "URGENT"})
    _reply(desk, ticket, macro=str(theirs.pk))
    assert Ticket.objects.get(pk=ticket.pk).priority == "MEDIUM"


def test_invalid_actions_are_refused_by_the_service(agent):
    for actions in (
        {"status": "NOPE"},
        {"explode": True},
        {"cc": ["not an address"]},
        {"assignee": "00000000-0000-0000-0000-000000000000"},
        "text",
    ):
        with pytest.raises(DomainError):
            desk_services.canned_response_create(
                actor=agent, title="x", content="y", owner=agent, actions=actions
            )


def test_agents_keep_personal_macros_supervisors_share(agent, supervisor):
    mine = desk_services.canned_response_create(
        actor=agent, title="Mine", content="text", owner=agent, actions={"priority": "LOW"}
    )
    assert mine.owner == agent and mine.actions == {"priority": "LOW"}
    with pytest.raises(PermissionDenied):
        desk_services.canned_response_create(actor=agent, title="Team", content="t", owner=None)
    shared = desk_services.canned_response_create(
        actor=supervisor, title="Team", content="t", owner=None
    )
    assert shared.owner is None


def test_picker_marks_macros_and_line_breaks_survive(desk, ticket, macro):
    results = desk.get("/desk/canned/", {"q": "logs", "ticket": str(ticket.pk)})
    assert b"data-macro=" in results.content and b"status" in results.content
    assert b"Thanks,\nplease send the logs." in results.content
    preview = desk.post("/desk/preview/", {"content": "Thanks,\nAlice"})
    assert b"Thanks,<br" in preview.content
    _reply(desk, ticket)
    page = desk.get(f"/desk/tickets/{ticket.number}/")
    assert b"Thanks,<br" in page.content


def test_macro_pages_create_edit_delete(desk, agent, category):
    answer = desk.post(
        "/desk/macros/",
        {"title": "Close politely", "content": "Bye!", "status": "RESOLVED", "tags": "done"},
    )
    assert answer.status_code == 302
    from desk.models import CannedResponse

    made = CannedResponse.objects.get(title="Close politely")
    assert made.owner == agent
    assert made.actions["status"] == "RESOLVED" and made.actions["tags"] == ["done"]
    page = desk.get(f"/desk/macros/{made.pk}/")
    assert b"Close politely" in page.content
    bad = desk.post("/desk/macros/", {"title": "Bad", "content": "x", "cc": "nope"})
    assert bad.status_code == 400
    shared = desk.post("/desk/macros/", {"title": "Shared?", "content": "x", "shared": "on"})
    assert shared.status_code == 400  # agents cannot share
    assert desk.post(f"/desk/macros/{made.pk}/delete/").status_code == 302
    assert not CannedResponse.objects.filter(pk=made.pk).exists()
