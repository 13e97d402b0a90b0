"""The plain ticket list (`?status=&priority=`, limit/offset, default order, a caller who sees
every ticket) runs compiled SQL (`tickets.api.reads.api_ticket_list_compiled`): it answers
exactly what the general path (django-filter, the paginator's queryset) answers."""

from __future__ import annotations

import pytest

from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    TicketFactory,
)
from tickets import services
from tickets.api import reads
from tickets.models import AgentProfile
from tickets.services.relations import ticket_cc_add

PLAIN = [
    "",
    "?status=OPEN",
    "?status=OPEN&limit=2",
    "?status=OPEN&limit=2&offset=2",
    "?status=OPEN&status=IN_PROGRESS&limit=3&offset=1",
    "?status=OPEN&status=OPEN",
    "?priority=HIGH",
    "?priority=HIGH&priority=LOW&status=OPEN",
    "?status=CLOSED",
    "?limit=100&offset=0",
    "?offset=50",
    "?limit=0",
    "?limit=abc&offset=-3",
]
GENERAL = [
    "?status=",
    "?status=open",
    "?status=NOPE",
    "?ordering=priority",
    "?channel=PORTAL",
    "?search=printer",
    "?cursor=",
    "?status=OPEN&format=json",
]


@pytest.fixture
def tickets(tenant):
    agent = AgentFactory()
    found = []
    for i, priority in enumerate(["LOW", "HIGH", "HIGH", "MEDIUM", "URGENT", "HIGH"]):
        ticket = TicketFactory(priority=priority)
        if i % 2:
            services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        found.append(ticket)
    services.ticket_status_change(ticket=found[1], status="IN_PROGRESS", actor=agent)
    ticket_cc_add(ticket=found[2], user=CustomerFactory(), actor=agent)
    return found


def _answers(client, query, monkeypatch, *, compiled: bool):
    if not compiled:
        monkeypatch.setattr(reads, "api_ticket_list_compiled", lambda user, params: None)
        from tickets.api import views

        monkeypatch.setattr(views, "api_ticket_list_compiled", lambda user, params: None)
    answer = client.get(f"/api/v1/tickets/{query}")
    monkeypatch.undo()
    return answer.status_code, answer.json()


@pytest.mark.parametrize("query", PLAIN)
def test_the_compiled_list_answers_as_the_general_path(tickets, api_client, monkeypatch, query):
    client = api_client(AdminFactory())
    used = []
    compiled = reads.api_ticket_list_compiled
    from tickets.api import views

    monkeypatch.setattr(
        views, "api_ticket_list_compiled", lambda *a: used.append(1) or compiled(*a)
    )
    fast = client.get(f"/api/v1/tickets/{query}")
    monkeypatch.undo()

    assert used and fast.status_code == 200
    assert (fast.status_code, fast.json()) == _answers(client, query, monkeypatch, compiled=False)


@pytest.mark.parametrize("query", GENERAL)
def test_other_lists_take_the_general_path(tickets, api_client, query):
    assert reads.api_ticket_list_compiled(AdminFactory(), _params(query)) is None


def _params(query):
    from django.http import QueryDict

    return QueryDict(query.lstrip("?"))


def test_callers_with_a_limited_view_take_the_general_path(tickets, api_client):
    limited = AgentFactory()
    profile, _ = AgentProfile.objects.get_or_create(user=limited)
    profile.categories.add(CategoryFactory())
    customer = tickets[0].requester

    assert reads.api_ticket_list_compiled(limited, _params("?status=OPEN")) is None
    assert reads.api_ticket_list_compiled(customer, _params("?status=OPEN")) is None
    assert reads.api_ticket_list_compiled(AgentFactory(), _params("?status=OPEN")) is not None
    answer = api_client(customer).get("/api/v1/tickets/?status=OPEN").json()
    assert [t["id"] for t in answer["results"]] == [str(tickets[0].pk)]
