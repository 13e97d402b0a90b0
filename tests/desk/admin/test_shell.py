"""The admin area's shell: who may open it, the overview, the section registry."""

import pytest

from desk.admin_area import registry
from desk.admin_area.registry import AdminSection

pytestmark = pytest.mark.django_db


def test_supervisor_sees_the_overview_with_its_sections(tenant_client, supervisor):
    response = tenant_client(supervisor).get("/desk/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "SLA profiles" in body
    assert 'href="/desk/admin/sla/"' in body


def test_desk_navigation_links_the_admin_area_for_supervisors_only(
    tenant_client, supervisor, agent
):
    assert 'href="/desk/admin/"' in tenant_client(supervisor).get("/desk/").content.decode()
    assert 'href="/desk/admin/"' not in tenant_client(agent).get("/desk/").content.decode()


def test_agent_gets_a_403_page_that_says_who_may(tenant_client, agent):
    for url in ("/desk/admin/", "/desk/admin/sla/", "/desk/admin/sla/new/"):
        response = tenant_client(agent).get(url)
        assert response.status_code == 403, url
        assert "supervisors and admins" in response.content.decode()


def test_anonymous_goes_to_the_desk_login(tenant_client):
    response = tenant_client().get("/desk/admin/sla/")
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


def test_customer_is_sent_to_the_portal(tenant_client, customer):
    response = tenant_client(customer).get("/desk/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_registered_section_shows_up_and_respects_its_roles(
    tenant_client, supervisor, admin_user
):
    section = AdminSection(
        key="test-extra",
        title="Extra screen",
        url_name="desk:admin",
        description="Registered by another app.",
        roles=registry.ADMINS,
        group="System",
    )
    registry.register_section(section)
    try:
        assert "Extra screen" in tenant_client(admin_user).get("/desk/admin/").content.decode()
        assert "Extra screen" not in tenant_client(supervisor).get("/desk/admin/").content.decode()
    finally:
        registry.unregister_section("test-extra")


def test_overview_query_count(tenant_client, supervisor, django_assert_max_num_queries):
    client = tenant_client(supervisor)
    client.get("/desk/admin/")
    with django_assert_max_num_queries(8):
        assert client.get("/desk/admin/").status_code == 200
