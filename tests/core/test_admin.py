import pytest
from django.test import Client

from panel1.accounts.models import User
from tests.factories import AdminFactory, AgentFactory


def test_tenant_admin_hides_shared_models(tenant_client):
    client = tenant_client(AdminFactory())
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/admin/accounts/user/" in html
    for shared in ("/admin/tenants/", "/admin/django_q/", "/admin/core/"):
        assert shared not in html
    assert client.get("/admin/tenants/tenant/").status_code == 404
    assert client.get("/admin/django_q/schedule/").status_code == 404


def test_agents_cannot_use_tenant_admin(tenant_client):
    response = tenant_client(AgentFactory()).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_platform_admin_lists_tenants_and_jobs(session_tenants):
    superuser = User.objects.create_superuser("root@platform.test", "x-pass-1234")
    client = Client(HTTP_HOST="localhost")
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "/admin/tenants/tenant/" in html
    assert "/admin/django_q/schedule/" in html
    listing = client.get("/admin/tenants/tenant/").content.decode()
    assert "t_alpha" in listing and "t_beta" in listing
