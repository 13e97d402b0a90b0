"""The desk's Plugins page (tenant admins)."""

import pytest

from panel1.plugins.models import PluginState
from panel1.plugins.registry import registry
from tests.factories import AdminFactory, AgentFactory
from tests.plugins import sample


@pytest.fixture
def echo_registered():
    registry.register(sample.Echo, source="test")
    yield
    registry.load()


@pytest.fixture
def admin_client(tenant_client):
    return tenant_client(AdminFactory())


def test_admin_sees_plugins_permissions_failures_and_slot_catalog(echo_registered, admin_client):
    page = admin_client.get("/desk/plugins/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-plugin="echo"' in html
    assert "Read tickets and their messages" in html
    assert 'class="plugin-failures">0<' in html
    assert "kb.article.footer" in html and "Customer portal home page" in html


def test_agents_do_not_get_the_page(echo_registered, tenant_client):
    client = tenant_client(AgentFactory())
    assert client.get("/desk/plugins/").status_code == 404
    assert client.post("/desk/plugins/echo/enable/").status_code == 404


def test_enable_configure_disable(echo_registered, admin_client):
    assert admin_client.post("/desk/plugins/echo/enable/").status_code == 302
    assert PluginState.objects.get(plugin="echo").enabled
    response = admin_client.post(
        "/desk/plugins/echo/settings/save/", {"settings": '{"suffix": "?", "limit": 4}'}
    )
    assert response.status_code == 302
    assert PluginState.objects.get(plugin="echo").settings == {"suffix": "?", "limit": 4}
    page = admin_client.post(
        "/desk/plugins/echo/settings/save/", {"settings": '{"limit": 99}'}, follow=True
    )
    assert "echo: limit:" in page.content.decode()
    admin_client.post("/desk/plugins/echo/disable/")
    assert not PluginState.objects.get(plugin="echo").enabled


def test_form_settings_of_the_redaction_plugin(admin_client):
    page = admin_client.get("/desk/plugins/")
    assert 'name="redaction-patterns"' in page.content.decode()
    admin_client.post(
        "/desk/plugins/redaction/settings/save/",
        {"redaction-cards": "on", "redaction-patterns": '["ORD-\\\\d+"]', "redaction-label": "x"},
    )
    settings = PluginState.objects.get(plugin="redaction").settings
    assert settings == {"cards": True, "ibans": False, "patterns": ["ORD-\\d+"], "label": "x"}
