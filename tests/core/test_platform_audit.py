"""The platform's own audit log: the public schema's audit table holds the tenant lifecycle,
platform sign-ins and platform admin actions; platform admins read it in the platform admin,
and no tenant sees it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from panel1.accounts.models import User
from panel1.audit.models import AuditEntry
from panel1.tenants.models import Tenant
from tests.factories import AdminFactory

PLATFORM = "localhost"


def _platform_entries(**filters) -> list[AuditEntry]:
    with schema_context("public"):
        return list(AuditEntry.objects.filter(**filters).order_by("created_at"))


@pytest.fixture
def root(session_tenants, db):
    connection.set_schema_to_public()
    return User.objects.create_superuser("root@platform.test", "x-pass-1234")


def test_tenant_creation_and_deletion_land_in_the_platform_log(root, tenant):
    # The row alone (no schema): the same save and delete that provisioning and the platform
    # admin's delete run.
    connection.set_schema_to_public()
    doomed = Tenant(schema_name="t_audit_lifecycle", name="Doomed Ltd")
    doomed.auto_create_schema = False
    doomed.save()
    pk = str(doomed.pk)
    doomed.delete()
    connection.set_tenant(tenant)

    entries = _platform_entries(target_id=pk)
    assert [e.action for e in entries] == ["tenant_created", "tenant_deleted"]
    assert entries[0].target_type == "tenants.tenant"
    assert entries[0].details == {"schema": "t_audit_lifecycle", "name": "Doomed Ltd"}
    # Not in the tenant's own log.
    assert not AuditEntry.objects.filter(target_id=pk).exists()


def test_platform_sign_ins_and_failures_are_recorded_with_address(root):
    client = Client(HTTP_HOST=PLATFORM, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="probe/1")
    client.post("/admin/login/", {"username": "root@platform.test", "password": "wrong-one"})
    client.post("/admin/login/", {"username": "root@platform.test", "password": "x-pass-1234"})

    entries = _platform_entries(actor_id__isnull=False, action="login") + _platform_entries(
        action="login_failed", target_id=str(root.pk)
    )
    assert {e.action for e in entries} == {"login", "login_failed"}
    login = next(e for e in entries if e.action == "login")
    assert login.actor_id == root.pk
    assert (login.ip, login.user_agent) == ("203.0.113.9", "probe/1")


def test_platform_admin_actions_are_recorded_and_shown_read_only(root, tenant):
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=PLATFORM)
    client.force_login(root)
    target = Tenant.objects.get(schema_name=tenant.schema_name)
    response = client.post(
        f"/admin/tenants/tenant/{target.pk}/change/",
        {
            "name": target.name,
            "display_name": "Renamed by platform",
            "primary_color": target.primary_color,
            "default_timezone": "UTC",
            "ticket_prefix": target.ticket_prefix,
            "ticket_number_padding": target.ticket_number_padding,
            "kb_search_config": target.kb_search_config,
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:500]
    (entry,) = _platform_entries(action="admin_action", actor_id=root.pk)
    assert entry.details["model"] == "tenants.tenant"
    assert str(entry.details["object_id"]) == str(target.pk)

    listing = client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "admin_action" in html and "root@platform.test" in html
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


def test_the_platform_log_is_append_only_and_hidden_from_tenants(root, tenant, tenant_client):
    with (
        schema_context("public"),
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET action = 'forged'")
    connection.set_tenant(tenant)
    client = tenant_client(AdminFactory())
    html = client.get("/admin/audit/auditentry/").content.decode()
    assert "root@platform.test" not in html
    assert not AuditEntry.objects.filter(actor_id=root.pk).exists()


def test_suspension_answers_503_and_is_audited_in_the_platform_log(root, tenant, tenant_client):
    customer_page = tenant_client(AdminFactory())
    assert customer_page.get("/").status_code != 503
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=PLATFORM)
    client.force_login(root)
    target = Tenant.objects.get(schema_name=tenant.schema_name)  # not the session's object

    suspended = client.post(
        "/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [target.pk]}
    )
    assert suspended.status_code == 302
    target.refresh_from_db()
    assert target.suspended_at is not None
    refused = Client(HTTP_HOST=tenant.domains.get(is_primary=True).domain).get("/")
    assert refused.status_code == 503 and b"suspended" in refused.content

    client.post("/admin/tenants/tenant/", {"action": "reactivate", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert target.suspended_at is None
    entries = _platform_entries(
        target_id=str(target.pk), action__in=["tenant_suspended", "tenant_reactivated"]
    )
    assert [(e.action, e.actor_id) for e in entries] == [
        ("tenant_suspended", root.pk),
        ("tenant_reactivated", root.pk),
    ]
    assert Client(HTTP_HOST=tenant.domains.get(is_primary=True).domain).get("/").status_code != 503
    connection.set_tenant(tenant)
