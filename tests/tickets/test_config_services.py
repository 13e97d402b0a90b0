"""Categories and agent profiles change only through services, which record the audit log."""

import pytest

from panel1.audit.models import AuditEntry
from panel1.exceptions import Conflict
from tests.factories import AdminFactory, AgentFactory, CategoryFactory, TicketFactory
from tickets.models import AgentProfile, Category
from tickets.services.categories import (
    agent_profile_create,
    agent_profile_delete,
    agent_profile_update,
    category_create,
    category_delete,
    category_update,
)


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_category_create_records_the_actor(tenant):
    admin = AdminFactory()

    category = category_create(actor=admin, name="Sales", color="#112233")

    (entry,) = entries("category.created")
    assert entry.actor_id == admin.pk and entry.target_id == str(category.pk)
    assert entry.details == {"name": "Sales"}


def test_category_update_audits_only_what_changed(tenant):
    admin = AdminFactory()
    category = CategoryFactory(name="Sales", is_active=True)

    category_update(category=category, actor=admin, name="Sales", is_active=False)
    category_update(category=category, actor=admin, is_active=False)

    (entry,) = entries("category.updated")
    assert entry.details == {"is_active": [True, False]}
    assert Category.objects.get(pk=category.pk).is_active is False


def test_a_used_category_cannot_be_deleted(tenant):
    used = CategoryFactory()
    TicketFactory(category=used)
    unused = CategoryFactory()

    unused_id = unused.pk

    with pytest.raises(Conflict):
        category_delete(category=used, actor=AdminFactory())
    category_delete(category=unused, actor=AdminFactory())

    assert Category.objects.filter(pk=used.pk).exists()
    assert not Category.objects.filter(pk=unused_id).exists()
    assert [e.target_id for e in entries("category.deleted")] == [str(unused_id)]


def test_category_api_writes_are_audited(tenant, api_client):
    admin = AdminFactory()
    client = api_client(admin)

    created = client.post("/api/v1/categories/", {"name": "Sales"}, format="json").json()
    client.patch(f"/api/v1/categories/{created['id']}/", {"icon": "cash"}, format="json")
    assert client.delete(f"/api/v1/categories/{created['id']}/").status_code == 204

    entries = AuditEntry.objects.filter(action__startswith="category.")
    actions = [e.action for e in entries.order_by("created_at", "id")]
    assert actions == ["category.created", "category.updated", "category.deleted"]
    assert {e.actor_id for e in entries} == {admin.pk}


def test_deleting_a_used_category_through_the_api_is_a_conflict(tenant, api_client):
    used = CategoryFactory()
    TicketFactory(category=used)

    response = api_client(AdminFactory()).delete(f"/api/v1/categories/{used.pk}/")

    assert response.status_code == 409


def test_category_admin_saves_through_the_service(tenant, tenant_client):
    admin = AdminFactory()
    client = tenant_client(admin)

    response = client.post(
        "/admin/tickets/category/add/",
        {"name": "Hardware", "description": "", "color": "#445566", "icon": "", "is_active": "on"},
    )

    assert response.status_code == 302
    (entry,) = entries("category.created")
    assert entry.actor_id == admin.pk
    assert entry.target_id == str(Category.objects.get(name="Hardware").pk)


def test_agent_profile_services_record_changes(tenant):
    admin, agent = AdminFactory(), AgentFactory()
    billing, tech = CategoryFactory(), CategoryFactory()

    profile = agent_profile_create(actor=admin, user=agent, categories=[billing], status="online")
    agent_profile_update(profile=profile, actor=admin, categories=[billing, tech], status="away")
    agent_profile_delete(profile=profile, actor=admin)

    created, updated = entries("agent_profile.created"), entries("agent_profile.updated")
    assert created[0].details["categories"] == [str(billing.pk)]
    assert updated[0].details["status"] == ["online", "away"]
    assert updated[0].details["categories"][1] == sorted([str(billing.pk), str(tech.pk)])
    assert entries("agent_profile.deleted")[0].actor_id == admin.pk
    assert not AgentProfile.objects.filter(user=agent).exists()


def test_agent_profile_admin_sets_categories_through_the_service(tenant, tenant_client):
    admin = AdminFactory()
    agent, billing = AgentFactory(), CategoryFactory()

    response = tenant_client(admin).post(
        "/admin/tickets/agentprofile/add/",
        {
            "user": str(agent.pk),
            "categories": [str(billing.pk)],
            "languages": "",
            "skills": "billing, refunds",
            "status": "online",
            "capacity": "3",
            "working_hours": "null",
            "out_of_office": "[]",
        },
    )

    assert response.status_code == 302, response.content.decode()[:1000]
    profile = AgentProfile.objects.get(user=agent)
    assert list(profile.categories.all()) == [billing] and profile.capacity == 3
    assert profile.skills == ["billing", "refunds"] and profile.status == "online"
    assert entries("agent_profile.created")[0].actor_id == admin.pk
