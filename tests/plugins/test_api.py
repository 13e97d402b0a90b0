"""The Plugins API (API.md "Plugins"), slots and plugin URLs per tenant."""

from django.db import connection

from panel1.events import names
from panel1.plugins import services
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory


def _admin_client(api_client):
    return api_client(AdminFactory())


def test_list_shape(echo, api_client):
    response = _admin_client(api_client).get("/api/v1/plugins/")
    assert response.status_code == 200
    body = response.json()
    row = next(r for r in body["results"] if r["name"] == "echo")
    assert {"name", "version", "description", "permissions", "enabled"} <= set(row)
    assert row["version"] == "1.2.0"
    assert row["permissions"] == ["tickets:read"]
    assert row["enabled"] is False
    assert body["count"] >= 1


def test_enable_and_disable_emit_events(echo, api_client, events):
    client = _admin_client(api_client)
    response = client.post("/api/v1/plugins/echo/enable/")
    assert response.status_code == 200
    assert response.json()["enabled"] is True
    response = client.post("/api/v1/plugins/echo/disable/")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    emitted = [(e.name, e.payload["plugin"]) for e in events if e.name.startswith("plugin.")]
    assert emitted == [(names.PLUGIN_ENABLED, "echo"), (names.PLUGIN_DISABLED, "echo")]


def test_enable_is_per_tenant_through_the_api(echo, api_client, other_tenant):
    _admin_client(api_client).post("/api/v1/plugins/echo/enable/")
    with in_schema(other_tenant):
        other_admin = AdminFactory()
    response = api_client(other_admin, on=other_tenant).get("/api/v1/plugins/")
    connection.set_tenant(echo.tenant)
    row = next(r for r in response.json()["results"] if r["name"] == "echo")
    assert row["enabled"] is False


def test_forbidden_plugin_cannot_be_enabled(echo, api_client):
    from panel1.actors import Actor

    services.plugin_forbid(tenant=echo.tenant, name="echo", actor=Actor())
    response = _admin_client(api_client).post("/api/v1/plugins/echo/enable/")
    assert response.status_code == 403
    assert "does not allow" in response.json()["detail"]


def test_forbidding_an_enabled_plugin_switches_it_off(echo):
    from panel1.actors import Actor

    echo.enable("echo")
    services.plugin_forbid(tenant=echo.tenant, name="echo", actor=Actor())
    connection.set_tenant(echo.tenant)
    assert not echo.state("echo").enabled


def test_only_admins(echo, api_client):
    client = api_client(AgentFactory())
    assert client.get("/api/v1/plugins/").status_code == 403
    assert client.post("/api/v1/plugins/echo/enable/").status_code == 403
    assert client.get("/api/v1/plugins/echo/settings/").status_code == 403
    assert api_client().get("/api/v1/plugins/").status_code == 401


def test_unknown_plugin_is_404(api_client):
    client = _admin_client(api_client)
    assert client.post("/api/v1/plugins/nope/enable/").status_code == 404
    assert client.get("/api/v1/plugins/nope/settings/").status_code == 404


def test_settings_while_disabled_and_validation(echo, api_client):
    client = _admin_client(api_client)
    url = "/api/v1/plugins/echo/settings/"
    assert client.get(url).json() == {"suffix": "!", "limit": 3}
    response = client.put(url, {"suffix": "?", "limit": 5}, format="json")
    assert response.status_code == 200
    assert response.json() == {"suffix": "?", "limit": 5}
    response = client.put(url, {"suffix": "?", "limit": 50}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["limit"]
    response = client.put(url, {"colour": "red"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"colour": ["Unknown setting."]}
    response = client.put(url, ["not", "an", "object"], format="json")
    assert response.status_code == 400
    assert client.get(url).json() == {"suffix": "?", "limit": 5}


def test_plugin_api_endpoints_404_while_disabled(echo, api_client):
    admin = AdminFactory()
    client = api_client(admin)
    assert client.get("/api/v1/plugins/echo/api/ping/").status_code == 404
    client.post("/api/v1/plugins/echo/enable/")
    response = client.get("/api/v1/plugins/echo/api/ping/")
    assert response.status_code == 200
    assert response.json() == {"pong": True, "user": admin.email}
    assert client.get("/api/v1/plugins/echo/api/nothing/").status_code == 404
    assert api_client().get("/api/v1/plugins/echo/api/ping/").status_code == 401


def test_plugin_pages_404_while_disabled(echo, tenant_client):
    agent = AgentFactory()
    client = tenant_client(agent)
    assert client.get("/desk/apps/echo/").status_code == 404
    assert client.get("/apps/echo/").status_code == 404
    echo.enable("echo")
    response = client.get("/desk/apps/echo/")
    assert (response.status_code, response.content) == (200, b"echo page")
    assert tenant_client().get("/apps/echo/").content == b"echo page"
    assert tenant_client().get("/desk/apps/echo/").status_code == 302  # sign in first


def test_slots_render_only_when_enabled(echo):
    ticket = echo.ticket()
    assert "echo-slot" not in echo.render_slot("desk.ticket.sidebar", ticket=ticket)
    echo.enable("echo")
    html = echo.render_slot("ticket.sidebar", ticket=ticket)  # the old name is an alias
    assert f"echo for {ticket.number}" in html
    assert "echo-slot" in echo.render_slot("desk.dashboard")
    assert "echo-slot" not in echo.render_slot("portal.home")


def test_desk_ticket_page_shows_the_plugin_slot(echo, tenant_client):
    ticket = echo.ticket()
    client = tenant_client(AgentFactory())
    assert b"echo-slot" not in client.get(f"/desk/tickets/{ticket.number}/").content
    echo.enable("echo")
    assert b"echo-slot" in client.get(f"/desk/tickets/{ticket.number}/").content


def test_failing_slot_renders_nothing_and_counts(echo, settings):
    from tests.plugins import sample

    settings.PLUGIN_MAX_FAILURES = 0
    echo.register(sample.Broken)
    echo.enable("broken")
    assert echo.render_slot("desk.ticket.sidebar").strip() == ""
    assert echo.state("broken").failure_count == 1


def test_enabled_set_is_read_once_per_request(echo, tenant_client, django_assert_max_num_queries):
    echo.enable("echo")
    ticket = echo.ticket()
    client = tenant_client(AgentFactory())
    client.get(f"/desk/tickets/{ticket.number}/")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/desk/tickets/{ticket.number}/")
    state_reads = [q for q in queries.captured_queries if '"plugins_pluginstate"' in q["sql"]]
    assert len(state_reads) == 1


def test_a_tenant_without_plugins_pays_no_query(echo, tenant_client):
    ticket = echo.ticket()
    client = tenant_client(AgentFactory())
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/desk/tickets/{ticket.number}/")
    assert not [q for q in queries.captured_queries if "plugins_plugin" in q["sql"]]


def test_platform_admin_forbids_a_plugin_for_a_tenant(echo, client, settings):
    from django.db import connection as conn

    from panel1.accounts.models import User
    from panel1.plugins.platform.models import PluginForbid

    echo.enable("echo")
    conn.set_schema_to_public()
    platform_user = User.objects.create_superuser(email="root@platform.test", password="x-12345")
    client.force_login(platform_user)
    response = client.post(
        "/admin/plugins_platform/pluginforbid/add/",
        {"tenant": echo.tenant.pk, "plugin": "echo", "reason": "contract"},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content[:500]
    assert PluginForbid.objects.filter(tenant=echo.tenant, plugin="echo").exists()
    conn.set_tenant(echo.tenant)
    assert not echo.state("echo").enabled
