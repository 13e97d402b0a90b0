"""Customers and organizations: services, the API (/api/v1/customers/, /organizations/),
joining by email domain, staff-only access and tenant isolation."""

from __future__ import annotations

import pytest

from panel1.accounts.models import User
from panel1.accounts.services import customer_get_or_create
from panel1.audit.models import AuditEntry
from panel1.events import names
from tests.conftest import in_schema
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets.models import CustomerProfile, Organization
from tickets.services.customers import (
    customer_create,
    organization_create,
    organization_delete,
    organization_update,
)


@pytest.fixture
def agent(tenant):
    return AgentFactory(name="Alice Agent")


@pytest.fixture
def acme(tenant, agent):
    return organization_create(actor=agent, name="Acme", domains=["acme.example"])


def test_organization_create_is_audited_and_emits(tenant, agent, events, run_on_commit):
    with run_on_commit():
        org = organization_create(actor=agent, name=" Acme  Corp ", domains=["@ACME.example"])
    assert org.name == "Acme Corp"
    assert org.domains == ["acme.example"]
    assert AuditEntry.objects.filter(action="organization.created", target_id=str(org.pk))
    assert [e.name for e in events] == [names.ORGANIZATION_CREATED]


def test_new_customer_joins_organization_of_their_domain_however_created(
    tenant, agent, acme, events, run_on_commit
):
    with run_on_commit():
        by_service = customer_create(actor=agent, email="pat@acme.example", name="Pat")
        by_mail, created = customer_get_or_create(email="lee@ACME.example")
        elsewhere, _ = customer_get_or_create(email="kim@other.example")
    assert created
    assert by_service.customer_profile.organization == acme
    assert by_mail.customer_profile.organization == acme
    assert elsewhere.customer_profile.organization is None
    assert [e.name for e in events].count(names.CUSTOMER_CREATED) == 3


def test_a_new_customer_joins_by_the_domains_as_they_are_now(tenant, agent, acme):
    """The domain map is kept per process (panel1.tenant_cache): a change is seen at once."""
    acme_id = acme.pk
    first, _ = customer_get_or_create(email="one@acme.example")  # the map is loaded here
    organization_update(actor=agent, organization=acme, domains=["acme.test"])
    moved, _ = customer_get_or_create(email="two@acme.example")
    joined, _ = customer_get_or_create(email="three@acme.test")
    organization_delete(actor=agent, organization=acme)
    after, _ = customer_get_or_create(email="four@acme.test")

    assert first.customer_profile.organization_id == acme_id
    assert moved.customer_profile.organization_id is None
    assert joined.customer_profile.organization_id == acme_id
    assert after.customer_profile.organization_id is None


def test_domain_cannot_belong_to_two_organizations(tenant, agent, acme, api_client):
    answer = api_client(agent).post(
        "/api/v1/organizations/", {"name": "Other", "domains": ["acme.example"]}, format="json"
    )
    assert answer.status_code == 400
    assert "domains" in answer.json()


def test_customer_api_create_list_search_and_update(tenant, agent, acme, api_client):
    client = api_client(agent)
    answer = client.post(
        "/api/v1/customers/",
        {"email": "pat@acme.example", "name": "Pat Doe", "timezone": "Europe/Berlin"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert set(body) == {
        "id", "email", "name", "organization", "language", "timezone", "notes", "tags",
        "ticket_count",
    }  # fmt: skip
    assert body["organization"] == str(acme.pk)
    assert body["ticket_count"] == 0
    pat = User.objects.get(email="pat@acme.example")
    TicketFactory(requester=pat)
    CustomerFactory(name="Zed Other", email="zed@other.example")

    found = client.get("/api/v1/customers/?search=pat").json()
    assert found["count"] == 1
    assert found["results"][0]["ticket_count"] == 1
    assert client.get("/api/v1/customers/?search=acme.example").json()["count"] == 1

    answer = client.patch(
        f"/api/v1/customers/{pat.pk}/",
        {"notes": "VIP, call first", "tags": ["VIP", "vip", "berlin"], "organization": None},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["tags"] == ["vip", "berlin"]
    assert answer.json()["organization"] is None
    assert AuditEntry.objects.filter(action="customer.updated", target_id=str(pat.pk)).exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "x@y.example", "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "x@y.example", "language": "xx"}, "language"),
        ({"email": "x@y.example", "organization": "not-a-uuid"}, "organization"),
        ({"email": "x@y.example", "tags": "vip"}, "tags"),
    ],
)
def test_bad_customer_input_is_400_with_field_errors(tenant, agent, api_client, payload, field):
    answer = api_client(agent).post("/api/v1/customers/", payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


def test_existing_address_is_400(tenant, agent, api_client):
    answer = api_client(agent).post("/api/v1/customers/", {"email": agent.email}, format="json")
    assert answer.status_code == 400
    assert "email" in answer.json()


def test_staff_do_not_appear_as_customers(tenant, agent, api_client):
    client = api_client(agent)
    assert client.get(f"/api/v1/customers/{agent.pk}/").status_code == 404
    assert client.get("/api/v1/customers/?search=Alice").json()["count"] == 0
    assert client.delete(f"/api/v1/customers/{agent.pk}/").status_code == 405


def test_organization_api_crud(tenant, agent, api_client):
    client = api_client(agent)
    answer = client.post(
        "/api/v1/organizations/",
        {"name": "Initech", "domains": ["initech.example"], "notes": "Main account"},
        format="json",
    )
    assert answer.status_code == 201
    org = answer.json()
    assert set(org) == {"id", "name", "domains", "notes"}
    assert client.get(f"/api/v1/organizations/{org['id']}/").json()["name"] == "Initech"
    answer = client.patch(
        f"/api/v1/organizations/{org['id']}/", {"domains": ["initech.example", "ini.example"]},
        format="json",
    )  # fmt: skip
    assert answer.json()["domains"] == ["initech.example", "ini.example"]
    member = customer_create(actor=agent, email="bill@ini.example")
    assert client.delete(f"/api/v1/organizations/{org['id']}/").status_code == 204
    assert not Organization.objects.filter(pk=org["id"]).exists()
    assert CustomerProfile.objects.get(user=member).organization is None
    assert client.get(f"/api/v1/organizations/{org['id']}/").status_code == 404
    bad = client.post("/api/v1/organizations/", {"name": "", "domains": ["no domain"]})
    assert bad.status_code == 400


def test_customers_and_anonymous_cannot_use_the_endpoints(tenant, api_client):
    customer = CustomerFactory()
    for path in ("/api/v1/customers/", "/api/v1/organizations/"):
        assert api_client(customer).get(path).status_code == 403
        assert api_client().get(path).status_code == 401


def test_organizations_are_per_tenant(tenant, other_tenant, agent, acme, api_client):
    with in_schema(other_tenant):
        organization_create(actor=AgentFactory(), name="Beta only", domains=["beta.example"])
        assert not Organization.objects.filter(name="Acme").exists()
    names_seen = [
        o["name"] for o in api_client(agent).get("/api/v1/organizations/").json()["results"]
    ]
    assert names_seen == ["Acme"]
    # A new customer in tenant A with a domain only tenant B lists joins nothing.
    customer = customer_create(actor=agent, email="x@beta.example")
    assert customer.customer_profile.organization is None


def test_list_query_count_is_bounded(
    tenant, agent, acme, api_client, django_assert_max_num_queries
):
    for n in range(15):
        customer = customer_create(actor=agent, email=f"c{n}@acme.example")
        TicketFactory(requester=customer)
    client = api_client(agent)
    with django_assert_max_num_queries(8):
        answer = client.get("/api/v1/customers/?limit=50")
    assert answer.json()["count"] == 15


def test_an_address_finds_its_account_whatever_the_case(tenant):
    stored = AgentFactory(email="Mixed.Case@Example.TEST")
    for asked in ("mixed.case@example.test", "MIXED.CASE@EXAMPLE.TEST"):
        user, created = customer_get_or_create(email=asked)
        assert (user.pk, created) == (stored.pk, False)
    other, created = customer_get_or_create(email="someone.else@example.test")
    assert created and other.pk != stored.pk and other.role == "CUSTOMER"
