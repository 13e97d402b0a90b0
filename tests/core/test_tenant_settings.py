import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from panel1.tenants.models import Tenant
from tests.factories import AdminFactory, AgentFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def restore_branding(tenant):
    before = Tenant.objects.get(pk=tenant.pk)
    yield
    connection.set_schema_to_public()
    before.save()
    connection.set_tenant(tenant)


def test_tenant_admin_edits_own_branding_only(
    tenant_client, tenant, other_tenant, restore_branding
):
    client = tenant_client(AdminFactory())
    assert client.get("/admin/settings/").status_code == 200
    response = client.post(
        "/admin/settings/",
        {
            "display_name": "Alpha Support",
            "primary_color": "#ff0000",
            "default_timezone": "Europe/Berlin",
            "ticket_prefix": "ALP",
            "ticket_number_include_year": "on",
            "ticket_number_padding": 6,
            "kb_search_config": "english",
            "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Tenant.objects.get(pk=tenant.pk).display_name == "Alpha Support"
    assert Tenant.objects.get(pk=other_tenant.pk).display_name != "Alpha Support"
    logo = tenant_client().get("/branding/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert tenant_client(on=other_tenant).get("/branding/logo").status_code == 404


def test_bad_settings_are_refused(tenant_client, restore_branding):
    client = tenant_client(AdminFactory())
    response = client.post(
        "/admin/settings/",
        {
            "display_name": "X",
            "primary_color": "red",
            "default_timezone": "Mars/Base",
            "ticket_prefix": "A-B",
            "ticket_number_padding": 99,
            "kb_search_config": "english",
            "logo": SimpleUploadedFile("x.png", b"<script>", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {
        "primary_color",
        "default_timezone",
        "ticket_prefix",
        "ticket_number_padding",
        "logo",
    } <= set(form.errors)


def test_agents_cannot_change_settings(tenant_client):
    assert tenant_client(AgentFactory()).get("/admin/settings/").status_code == 403


def test_settings_changes_are_audited_with_the_admin(tenant_client, tenant, restore_branding):
    from panel1.audit.models import AuditEntry
    from panel1.tenants.services import tenant_settings_update

    admin = AdminFactory()
    current = Tenant.objects.get(pk=tenant.pk)
    tenant_settings_update(tenant=current, actor=admin, footer_text="Thanks for writing")
    tenant_settings_update(tenant=current, actor=admin, footer_text="Thanks for writing")

    (entry,) = AuditEntry.objects.filter(action="settings_changed")
    assert entry.actor_id == admin.pk and entry.target_id == str(tenant.pk)
    assert entry.details["footer_text"][1] == "Thanks for writing"


def test_unknown_time_zones_are_refused_by_the_service(tenant, restore_branding):
    from panel1.exceptions import DomainError
    from panel1.tenants.services import tenant_settings_update

    with pytest.raises(DomainError):
        tenant_settings_update(
            tenant=Tenant.objects.get(pk=tenant.pk), actor=None, default_timezone="Mars/Base"
        )


def test_the_settings_page_saves_through_the_audited_service(
    tenant_client, tenant, restore_branding
):
    from panel1.audit.models import AuditEntry

    admin = AdminFactory()
    response = tenant_client(admin).post(
        "/admin/settings/",
        {
            "display_name": "Audited Support",
            "primary_color": "#00ff00",
            "default_timezone": "UTC",
            "ticket_prefix": "AUD",
            "ticket_number_padding": 6,
            "kb_search_config": "english",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="settings_changed")
    assert entry.actor_id == admin.pk
    assert entry.details["display_name"][1] == "Audited Support"


def test_jobs_read_the_tenant_row_once_per_configuration_version(
    tenant, restore_branding, django_assert_num_queries
):
    """In `schema_context` (jobs, commands) `current_tenant()` keeps the row in memory per
    configuration version: no statement per call, and a settings change shows at once."""
    from django_tenants.utils import schema_context

    from panel1 import tenant_cache
    from panel1.tenants.services import current_tenant, tenant_settings_update

    with schema_context(tenant.schema_name), tenant_cache.scope():
        first = current_tenant()
        assert first.pk == tenant.pk and first is not current_tenant()  # copies
        first.display_name = "changed only here"
        with django_assert_num_queries(0):
            assert current_tenant().display_name != "changed only here"
    tenant_settings_update(tenant=tenant, actor=AdminFactory(), display_name="Renamed Co")
    with schema_context(tenant.schema_name), tenant_cache.scope():
        assert current_tenant().display_name == "Renamed Co"
