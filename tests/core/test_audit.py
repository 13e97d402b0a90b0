"""The tenant audit log: append-only entries written by services."""

import pytest

from panel1.actors import Actor
from panel1.audit.models import AuditEntry
from panel1.audit.services import audit_record
from tests.factories import AdminFactory, CategoryFactory


def test_an_entry_keeps_the_actor_target_and_details(tenant):
    admin = AdminFactory(name="Ada Admin")
    category = CategoryFactory(name="Billing")

    entry = audit_record(
        actor=admin, action="category.updated", target=category, details={"name": ["A", "B"]}
    )

    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label) == (admin.pk, "Ada Admin")
    assert (entry.target_type, entry.target_id) == ("tickets.category", str(category.pk))
    assert entry.details == {"name": ["A", "B"]}
    assert entry.created_at is not None


def test_the_system_and_automation_are_actors_too(tenant):
    system = audit_record(actor=None, action="tenant.settings_updated")
    rule = audit_record(actor=Actor.automation("Close idle", rule_id="r1"), action="x.y")

    assert (system.actor_id, system.actor_label) == (None, "system")
    assert rule.actor_label == "automation: Close idle"


def test_entries_are_append_only(tenant):
    entry = audit_record(actor=None, action="category.created")

    entry.action = "something else"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "category.created"


def test_details_are_stored_as_json(tenant):
    category = CategoryFactory()

    entry = audit_record(actor=None, action="a.b", details={"category": category, "ids": {1, 2}})

    entry.refresh_from_db()
    assert entry.details["category"] == str(category.pk)
    assert sorted(entry.details["ids"]) == [1, 2]


def test_the_admin_lists_entries_read_only(tenant, tenant_client):
    audit_record(actor=None, action="category.created")
    client = tenant_client(AdminFactory())

    page = client.get("/admin/audit/auditentry/")

    assert page.status_code == 200 and b"category.created" in page.content
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
