"""The routing API exactly as API.md "Agents and routing" names it."""

import uuid

import pytest

from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    SupervisorFactory,
    TicketFactory,
)
from tests.factories.routing import AgentProfileFactory, routing_configure
from tickets.models import AgentProfile, Ticket
from tickets.services import ticket_assign

AGENT_FIELDS = {
    "id",
    "email",
    "name",
    "role",
    "status",
    "capacity",
    "open_tickets",
    "skills",
    "languages",
    "categories",
    "working_hours",
    "out_of_office",
}


def test_agents_list_has_the_contract_fields_and_load(tenant, api_client):
    profile = AgentProfileFactory(capacity=4, skills=["billing"], languages=["en"])
    ticket_assign(ticket=TicketFactory(), actor=None, assignee=profile.user)
    plain = AgentFactory()  # no profile yet: defaults
    CustomerFactory()

    answer = api_client(SupervisorFactory()).get("/api/v1/agents/?limit=100")

    assert answer.status_code == 200
    rows = {row["id"]: row for row in answer.json()["results"]}
    assert set(rows[str(profile.user.pk)]) == AGENT_FIELDS
    row = rows[str(profile.user.pk)]
    assert (row["status"], row["capacity"], row["open_tickets"]) == ("online", 4, 1)
    assert row["skills"] == ["billing"] and row["languages"] == ["en"]
    assert rows[str(plain.pk)]["status"] == "offline"
    assert all(row["role"] != "CUSTOMER" for row in rows.values())


def test_agents_list_is_for_staff_with_bounded_queries(
    tenant, api_client, django_assert_max_num_queries
):
    for _ in range(5):
        AgentProfileFactory(categories=[CategoryFactory()])
    assert api_client(CustomerFactory()).get("/api/v1/agents/").status_code == 403
    assert api_client().get("/api/v1/agents/").status_code == 401
    client = api_client(AgentFactory())
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/agents/").status_code == 200


def test_supervisor_patches_an_agent(tenant, api_client, settings):
    settings.LANGUAGES = [("en", "English"), ("pt-br", "Português")]
    agent, billing = AgentFactory(), CategoryFactory()
    hours = {"timezone": "Europe/Berlin", "monday": {"start": "09:00", "end": "17:00"}}
    body = {
        "status": "online",
        "capacity": 7,
        "skills": ["Billing", "billing", "VIP"],
        "languages": ["pt-BR", "en"],
        "categories": [str(billing.pk)],
        "working_hours": hours,
        "out_of_office": [{"start": "2030-01-01T00:00:00Z", "end": "2030-01-08T00:00:00Z"}],
    }
    answer = api_client(SupervisorFactory()).patch(
        f"/api/v1/agents/{agent.pk}/", body, format="json"
    )
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["skills"] == ["billing", "vip"] and data["languages"] == ["pt-br", "en"]
    assert data["categories"] == [str(billing.pk)] and data["capacity"] == 7
    assert data["working_hours"] == hours and data["out_of_office"][0]["end"].endswith("Z")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"languages": ["xx"]}, "languages"),
        ({"categories": [str(uuid.uuid4())]}, "categories"),
        ({"status": "sleeping"}, "status"),
        ({"working_hours": {"monday": {"start": "25:00", "end": "17:00"}}}, "working_hours"),
        ({"working_hours": {"timezone": "Mars/Base"}}, "working_hours"),
        ({"out_of_office": [{"start": "2030-01-02T00:00Z", "end": "2030-01-01T00:00Z"}]}, None),
        ({"skills": "billing"}, "skills"),
    ],
)
def test_bad_agent_input_is_a_400_naming_the_field(tenant, api_client, body, field):
    agent = AgentFactory()
    answer = api_client(AdminFactory()).patch(f"/api/v1/agents/{agent.pk}/", body, format="json")
    assert answer.status_code == 400
    assert (field or "out_of_office") in answer.json()


def test_a_deleted_category_is_a_400(tenant, api_client):
    agent, gone = AgentFactory(), CategoryFactory()
    gone_id = str(gone.pk)
    gone.delete()
    answer = api_client(AdminFactory()).patch(
        f"/api/v1/agents/{agent.pk}/", {"categories": [gone_id]}, format="json"
    )
    assert answer.status_code == 400 and "categories" in answer.json()


def test_customer_id_or_unknown_id_is_404(tenant, api_client):
    client = api_client(AdminFactory())
    customer = CustomerFactory()
    for ref in (customer.pk, uuid.uuid4(), "not-a-uuid"):
        answer = client.patch(f"/api/v1/agents/{ref}/", {"status": "online"}, format="json")
        assert answer.status_code == 404
    assert not AgentProfile.objects.filter(user=customer).exists()


def test_an_agent_sets_only_their_own_status(tenant, api_client):
    agent, other = AgentFactory(), AgentFactory()
    client = api_client(agent)
    own = client.patch(f"/api/v1/agents/{agent.pk}/", {"status": "online"}, format="json")
    assert own.status_code == 200 and own.json()["status"] == "online"
    assert client.patch(f"/api/v1/agents/{agent.pk}/", {"capacity": 99}).status_code == 403
    assert client.patch(f"/api/v1/agents/{other.pk}/", {"status": "online"}).status_code == 403


def test_routing_settings_get_put_patch(tenant, api_client):
    billing = CategoryFactory()
    supervisor = api_client(SupervisorFactory())
    assert api_client(AgentFactory()).get("/api/v1/routing/").json()["strategy"] == "manual"

    whole = {
        "strategy": "load_balanced",
        "previous_agent": True,
        "priority_first": False,
        "reroute_when_offline": True,
        "categories": [{"category": str(billing.pk), "strategy": "skills"}],
    }
    answer = supervisor.put("/api/v1/routing/", whole, format="json")
    assert answer.status_code == 200 and answer.json() == whole

    answer = supervisor.patch("/api/v1/routing/", {"priority_first": True}, format="json")
    assert answer.json() == {**whole, "priority_first": True}

    agent = api_client(AgentFactory())
    assert agent.patch("/api/v1/routing/", {"strategy": "manual"}).status_code == 403
    assert api_client(CustomerFactory()).get("/api/v1/routing/").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"strategy": "random"}, "strategy"),
        ({"categories": [{"category": str(uuid.uuid4()), "strategy": "skills"}]}, "categories"),
        ({"categories": [{"category": "x", "strategy": "skills"}]}, "categories"),
        ({"previous_agent": "perhaps"}, "previous_agent"),
    ],
)
def test_bad_routing_settings_are_a_400_naming_the_field(tenant, api_client, body, field):
    answer = api_client(AdminFactory()).patch("/api/v1/routing/", body, format="json")
    assert answer.status_code == 400 and field in answer.json()


def test_put_needs_the_whole_settings(tenant, api_client):
    answer = api_client(AdminFactory()).put("/api/v1/routing/", {"strategy": "skills"})
    assert answer.status_code == 400 and "previous_agent" in answer.json()


def test_auto_assign_endpoint(tenant, api_client):
    routing_configure(strategy="manual")
    alice = AgentProfileFactory(user=AgentFactory(name="Alice")).user
    ticket = TicketFactory()
    agent = api_client(AgentFactory())

    answer = agent.post(
        f"/api/v1/tickets/{ticket.number}/auto-assign/", {"strategy": "round_robin"}
    )

    assert answer.status_code == 200
    assert answer.json()["assignee"]["id"] == str(alice.pk)
    assert answer.json()["routing_reason"].startswith("round robin: Alice")


def test_auto_assign_keeps_an_assigned_ticket_unless_forced(tenant, api_client):
    routing_configure(strategy="load_balanced")
    alice = AgentProfileFactory(user=AgentFactory(name="Alice")).user
    holder = AgentFactory()
    ticket = TicketFactory()
    ticket_assign(ticket=ticket, actor=None, assignee=holder)
    url = f"/api/v1/tickets/{ticket.pk}/auto-assign/"

    kept = api_client(AgentFactory()).post(url, {})
    assert kept.status_code == 200 and kept.json()["assignee"]["id"] == str(holder.pk)
    assert api_client(AgentFactory()).post(url, {"force": True}).status_code == 403
    forced = api_client(SupervisorFactory()).post(url, {"force": True}, format="json")
    assert forced.json()["assignee"]["id"] == str(alice.pk)


def test_auto_assign_with_nobody_eligible_answers_the_reason(tenant, api_client):
    AgentProfileFactory(user=AgentFactory(name="Zed"), status="offline")
    ticket = TicketFactory()
    answer = api_client(AgentFactory()).post(
        f"/api/v1/tickets/{ticket.pk}/auto-assign/", {"strategy": "load_balanced"}
    )
    assert answer.status_code == 200 and answer.json()["assignee"] is None
    assert answer.json()["routing_reason"] == "nobody eligible: Zed offline"


def test_auto_assign_bad_input_and_visibility(tenant, api_client):
    ticket = TicketFactory()
    staff = api_client(AgentFactory())
    bad = staff.post(f"/api/v1/tickets/{ticket.pk}/auto-assign/", {"strategy": "x"})
    assert bad.status_code == 400 and "strategy" in bad.json()
    assert staff.post(f"/api/v1/tickets/{uuid.uuid4()}/auto-assign/").status_code == 404
    customer = api_client(ticket.requester)
    assert customer.post(f"/api/v1/tickets/{ticket.pk}/auto-assign/").status_code == 403


def test_ticket_api_has_language_and_routing_reason(tenant, api_client, settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    customer = CustomerFactory()
    created = api_client(customer).post(
        "/api/v1/tickets/",
        {
            "subject": "Drucker kaputt",
            "content": "Mein Drucker druckt seit gestern nicht mehr, bitte helfen Sie mir.",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["language"] == "de" and created.json()["routing_reason"] is None
    staff = api_client(SupervisorFactory())
    listed = staff.get("/api/v1/tickets/?language=de").json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]
    assert staff.get("/api/v1/tickets/?language=en").json()["count"] == 0
    ticket_id = created.json()["id"]
    fixed = staff.patch(f"/api/v1/tickets/{ticket_id}/", {"language": "en"}, format="json")
    assert fixed.json()["language"] == "en"
    bad = staff.patch(f"/api/v1/tickets/{ticket_id}/", {"language": "xx"}, format="json")
    assert bad.status_code == 400 and "language" in bad.json()


def test_customers_never_see_the_routing_reason(tenant, api_client):
    routing_configure(strategy="round_robin")
    AgentProfileFactory()
    ticket = TicketFactory()
    from automation.routing.services import ticket_route

    ticket_route(ticket_id=ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).routing_reason
    answer = api_client(ticket.requester).get(f"/api/v1/tickets/{ticket.pk}/")
    assert answer.json()["routing_reason"] is None


def test_routing_is_per_tenant(tenant, other_tenant, api_client):
    routing_configure(strategy="skills")
    agent = AgentFactory()
    assert api_client(SupervisorFactory()).get("/api/v1/routing/").json()["strategy"] == "skills"
    from tests.conftest import in_schema

    with in_schema(other_tenant):
        from automation.routing.services import routing_settings_get

        assert routing_settings_get().strategy == "manual"
    # tenant A's agent is unknown on tenant B's host
    admin_b = None
    with in_schema(other_tenant):
        admin_b = AdminFactory(email="admin-b@beta.test")
    answer = api_client(admin_b, on=other_tenant).patch(
        f"/api/v1/agents/{agent.pk}/", {"status": "online"}, format="json"
    )
    assert answer.status_code in (401, 404)
