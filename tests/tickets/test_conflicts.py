"""API.md "Conflicts": version, ETag, If-Match (412) and only_if_unassigned (409)."""

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def agent(tenant):
    return AgentFactory(name="Alice Agent")


@pytest.fixture
def other_agent(tenant):
    return AgentFactory(name="Bob Agent")


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


@pytest.fixture
def ticket(customer):
    return TicketFactory(requester=customer)


def _version(ticket) -> int:
    return Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)


def test_a_new_ticket_is_version_one_and_get_answers_its_etag(api_client, agent, ticket):
    response = api_client(agent).get(f"/api/v1/tickets/{ticket.pk}/")
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response["ETag"] == '"1"'


def test_every_kind_of_change_grows_the_version_by_one(agent, other_agent, customer, ticket):
    steps = [
        lambda: services.ticket_update(ticket=ticket, actor=agent, priority="HIGH"),
        lambda: services.ticket_update(ticket=ticket, actor=agent, tags=["vip"]),
        lambda: services.ticket_status_change(ticket=ticket, actor=agent, status="ON_HOLD"),
        lambda: services.ticket_assign(ticket=ticket, actor=agent, assignee=agent),
        lambda: services.ticket_cc_add(ticket=ticket, actor=agent, user=other_agent),
        lambda: services.ticket_cc_remove(ticket=ticket, actor=agent, user=other_agent),
        # a reply that also moves the status is one change
        lambda: services.message_add(ticket=ticket, actor=customer, content="Any news?"),
        lambda: services.message_add(
            ticket=ticket, actor=agent, content="Note", message_type="INTERNAL_NOTE"
        ),
    ]
    for expected, step in enumerate(steps, start=2):
        step()
        assert _version(ticket) == expected


def test_a_change_that_changes_nothing_keeps_the_version(agent, ticket):
    services.ticket_update(ticket=ticket, actor=agent, priority=ticket.priority)
    services.ticket_status_change(ticket=ticket, actor=agent, status=ticket.status)
    assert _version(ticket) == 1


def test_patch_with_current_if_match_succeeds_and_answers_the_new_etag(api_client, agent, ticket):
    response = api_client(agent).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"priority": "URGENT"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2


def test_patch_with_a_stale_version_is_412_with_current(api_client, agent, ticket):
    services.ticket_update(ticket=ticket, actor=agent, priority="URGENT")
    response = api_client(agent).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"priority": "LOW"}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 412
    body = response.json()
    assert body["detail"]
    assert body["current"]["priority"] == "URGENT"
    assert body["current"]["version"] == 2
    assert response["ETag"] == '"2"'
    assert Ticket.objects.get(pk=ticket.pk).priority == "URGENT"


@pytest.mark.parametrize(
    ("path", "body"),
    [("status/", {"status": "ON_HOLD"}), ("assign/", {"assignee": None})],
)
def test_status_and_assign_honour_if_match(api_client, agent, ticket, path, body):
    client = api_client(agent)
    url = f"/api/v1/tickets/{ticket.pk}/{path}"
    assert client.post(url, body, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    assert client.post(url, body, format="json", HTTP_IF_MATCH='"junk"').status_code == 412
    assert client.post(url, body, format="json", HTTP_IF_MATCH='"1"').status_code == 200


def test_without_if_match_the_last_write_wins(api_client, agent, ticket):
    services.ticket_update(ticket=ticket, actor=agent, priority="URGENT")
    response = api_client(agent).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"priority": "LOW"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["priority"] == "LOW"


def test_only_if_unassigned_on_someone_elses_ticket_is_409(api_client, agent, other_agent, ticket):
    services.ticket_assign(ticket=ticket, actor=other_agent, assignee=other_agent)
    response = api_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/assign/",
        {"assignee": str(agent.pk), "only_if_unassigned": True},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current"]["assignee"]["id"] == str(other_agent.pk)
    assert Ticket.objects.get(pk=ticket.pk).assignee == other_agent


def test_only_if_unassigned_by_the_holder_is_200(api_client, agent, ticket):
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    response = api_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/assign/",
        {"assignee": str(agent.pk), "only_if_unassigned": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2  # nothing changed


def test_writes_answer_the_etag(api_client, agent, ticket):
    client = api_client(agent)
    reply = client.post(f"/api/v1/tickets/{ticket.pk}/messages/", {"content": "On it"})
    assert reply.status_code == 201
    assert reply["ETag"] == f'"{_version(ticket)}"'
    assign = client.post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": str(agent.pk)})
    assert assign["ETag"] == f'"{_version(ticket)}"'


@pytest.mark.slow
def test_two_agents_taking_one_ticket_at_once_one_wins(session_tenants, django_db_blocker):
    """Both press "assign to me" at the same moment: one wins, the other gets a conflict."""
    schema = session_tenants[0].schema_name
    with django_db_blocker.unblock(), schema_context(schema):
        agents = [AgentFactory(), AgentFactory()]
        requester = CustomerFactory()
        ticket = TicketFactory(requester=requester)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(agent):
        try:
            with django_db_blocker.unblock(), schema_context(schema):
                barrier.wait()
                services.ticket_assign(
                    ticket=ticket, actor=agent, assignee=agent, only_if_unassigned=True
                )
                outcomes.append("ok")
        except services.TicketAlreadyAssigned:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(outcomes) == ["conflict", "ok"]
        with django_db_blocker.unblock(), schema_context(schema):
            assert _version(ticket) == 2
    finally:
        with django_db_blocker.unblock(), schema_context(schema):
            Ticket.objects.filter(pk=ticket.pk).delete()
            for user in [*agents, requester]:
                user.delete()
