"""Every UI slot renders on its page for enabled plugins, and nothing when disabled."""

import pytest

from tests.factories import AdminFactory, AgentFactory, CustomerFactory
from tests.factories.knowledgebase import ArticleFactory
from tests.plugins import sample


@pytest.fixture
def everywhere(plugin_env):
    plugin_env.register(sample.Everywhere)
    return plugin_env


def _slots(response) -> set[str]:
    import re

    return set(re.findall(r'class="everywhere" data-slot="([^"]+)"', response.content.decode()))


def test_each_slot_renders_where_the_catalog_says(everywhere, tenant_client):
    customer = CustomerFactory()
    ticket = everywhere.ticket(requester_email=customer.email)
    article = ArticleFactory(status="PUBLISHED", visibility="PUBLIC")
    admin, agent = AdminFactory(), AgentFactory()
    pages = {
        (agent, f"/desk/tickets/{ticket.number}/"): {"desk.ticket.sidebar", "desk.ticket.toolbar"},
        (agent, "/desk/"): {"desk.dashboard"},
        (customer, "/"): {"portal.home"},
        (customer, f"/tickets/{ticket.number}/"): {"portal.ticket"},
        (None, f"/kb/{article.slug}/"): {"kb.article.footer"},
        (admin, "/admin/settings/"): {"settings.section"},
    }
    for user, url in pages:
        assert _slots(tenant_client(user).get(url)) == set(), url
    everywhere.enable("everywhere")
    for (user, url), expected in pages.items():
        response = tenant_client(user).get(url)
        assert response.status_code == 200, url
        assert _slots(response) == expected, url
    page = tenant_client(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f'data-slot="desk.ticket.toolbar">{ticket.number}<' in page


def test_plugin_queue_column(everywhere, tenant_client):
    ticket = everywhere.ticket()
    client = tenant_client(AgentFactory())
    assert b"Everywhere" not in client.get("/desk/queue/open/").content
    everywhere.enable("everywhere")
    page = client.get("/desk/queue/open/").content.decode()
    assert ">Everywhere</th>" in page
    assert f"cell-{str(ticket.pk)[:4]}" in page


def test_plugin_hides_builtin_queue_columns_until_disabled(plugin_env, tenant_client):
    plugin_env.register(sample.Slim)
    ticket = plugin_env.ticket(requester_email="hidden.requester@example.com")
    client = tenant_client(AgentFactory())

    def page():
        return client.get("/desk/queue/open/").content.decode()

    before = page()
    assert 'class="col-requester"' in before and 'class="col-sla"' in before
    plugin_env.enable("slim")
    slim = page()
    assert 'class="col-requester"' not in slim and 'class="col-sla"' not in slim
    assert 'title="hidden.requester@example.com"' in before
    assert 'title="hidden.requester@example.com"' not in slim
    # Number and subject (the row's identity and link) always stay; the rest keep going.
    assert 'class="col-number' in slim and f">{ticket.subject}</a>" in slim
    assert 'class="col-updated"' in slim and 'class="col-assignee"' in slim
    rows = client.get("/desk/queue/open/rows/").content.decode()
    assert 'class="col-requester"' not in rows
    plugin_env.disable("slim")
    assert page().count('class="col-requester"') == before.count('class="col-requester"')


def test_demo_seed_enables_the_shipped_plugins(plugin_env):
    from panel1.plugins.demo import demo_plugins_enable
    from panel1.plugins.state import enabled_names

    assert demo_plugins_enable(tenant=plugin_env.tenant, people={})
    assert {"redaction", "chat"} <= enabled_names()
    assert not demo_plugins_enable(tenant=plugin_env.tenant, people={})  # once


def test_uninstall_forgets_state_and_data(plugin_env):
    from panel1.actors import Actor
    from panel1.plugins.models import PluginDatum, PluginState
    from panel1.plugins.services import plugin_uninstall

    plugin_env.register(sample.Reader)
    plugin_env.enable("reader")
    plugin_env.context("reader").data.set("k", 1)
    with plugin_env.committed():
        plugin_uninstall(name="reader", actor=Actor())
    assert not PluginState.objects.filter(plugin="reader").exists()
    assert not PluginDatum.objects.filter(plugin="reader").exists()


def test_plugins_page_says_what_each_plugin_adds(plugin_env):
    html = plugin_env.client(plugin_env.user(role="ADMIN")).get("/desk/plugins/").content.decode()
    chat = html.split('data-plugin="chat"', 1)[1].split("</section>", 1)[0]
    redaction = html.split('data-plugin="redaction"', 1)[1].split("</section>", 1)[0]
    assert "Ticket channel: CHAT" in chat
    assert "Notification channel: Live chat (customers)" in chat
    assert "Automation condition: Sensitive values masked" in redaction
