"""One look: favicon, styled error pages in desk and portal, the theme switch, admin plurals."""

import pytest
from django.contrib import admin

from tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_favicon_is_the_tenants_initial_on_its_colour(tenant_client, tenant):
    response = tenant_client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert tenant.primary_color in body
    assert f">{tenant.brand_name[0].upper()}<" in body


def test_pages_link_the_favicon_and_the_theme_script(tenant_client, tenant):
    agent = AgentFactory()
    body = tenant_client(agent).get("/desk/").content.decode()
    assert '<link rel="icon" href="/favicon.ico">' in body
    assert "js/theme.js" in body and "data-theme-switch" in body
    assert "<script>" not in body  # every script is a file


def test_404_in_the_desk_has_the_desk_look(tenant_client, tenant):
    agent = AgentFactory()
    response = tenant_client(agent).get("/desk/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "desk-header" in body and "Page not found" in body and "Back to the desk" in body


def test_404_in_the_portal_has_the_portal_look(tenant_client):
    response = tenant_client().get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "site-header" in body and "Page not found" in body


def test_403_says_who_may(tenant_client, tenant):
    customer = CustomerFactory()
    response = tenant_client(customer).get("/kb/insights/")
    assert response.status_code == 403
    assert "Only staff may open knowledge base insights." in response.content.decode()


def test_500_page_is_styled(rf, tenant):
    from panel1.core.views import server_error

    request = rf.get("/desk/")
    request.tenant = tenant
    response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_400_page(rf, tenant):
    from panel1.core.views import bad_request

    request = rf.get("/")
    request.tenant = tenant
    assert bad_request(request).status_code == 400


def test_admin_plurals_read_right():
    plurals = {m._meta.verbose_name_plural for m in admin.site._registry}
    assert "SLA profiles" in plurals and "IMAP mailboxes" in plurals
    assert not any(p.endswith("mailboxs") or p.endswith("feedbacks") for p in plurals)


def test_django_admin_uses_the_shared_theme(tenant_client, tenant):
    from tests.factories import AdminFactory

    admin_user = AdminFactory()
    body = tenant_client(admin_user).get("/admin/").content.decode()
    assert "css/admin-theme.css" in body
