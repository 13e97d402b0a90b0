"""The live chat plugin in real Chromium with two browser contexts: a visitor on the portal
starts a chat, an agent answers it in the desk, the visitor sees the answer by polling, then
leaves; the desk shows the chat ended and the transcript stays on the ticket."""

from __future__ import annotations

import os
import re

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import CHROMIUM

PASSWORD = "pass-1234-word"  # the factories' password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def chat_site(live_tenant):
    from panel1.actors import Actor
    from panel1.plugins import services
    from panel1.plugins.registry import registry
    from tests.factories import AgentFactory

    if registry.get("chat") is None:
        pytest.skip("the chat plugin (plugins/chat) is not installed")
    with schema_context(live_tenant.tenant.schema_name):
        services.plugin_settings_update(
            name="chat", actor=Actor(), values={"greeting": "Chat with us", "poll_seconds": 1}
        )
        services.plugin_enable(name="chat", actor=Actor())
        live_tenant.agent = AgentFactory(email="alice@chat.test", name="Alice Agent")
    return live_tenant


def test_visitor_and_agent_chat(chat_site, browser):
    from tickets.models import Ticket

    visitor = browser.new_context().new_page()
    errors: list[str] = []
    visitor.on("pageerror", lambda exc: errors.append(str(exc)))
    visitor.goto(chat_site.url + "/")
    visitor.click("[data-chat-open]")
    visitor.fill("[data-chat-start] input[name=name]", "Vic Visitor")
    visitor.fill("[data-chat-start] input[name=email]", "vic@visitor.test")
    visitor.fill("[data-chat-start] textarea[name=message]", "Do you ship to Norway?")
    visitor.click("[data-chat-start] button[type=submit]")
    expect(visitor.locator("[data-chat-transcript]")).to_contain_text("Do you ship to Norway?")
    number = visitor.locator("[data-chat-number]").inner_text()
    with schema_context(chat_site.tenant.schema_name):
        ticket = Ticket.objects.get(number=number)
        assert ticket.channel == "CHAT"

    agent = browser.new_context().new_page()
    agent.goto(chat_site.url + "/desk/login/")
    agent.fill("#id_username", chat_site.agent.email)
    agent.fill("#id_password", PASSWORD)
    agent.click("button[type=submit]")
    agent.wait_for_url(re.compile(r"/desk/$"))
    agent.goto(chat_site.url + f"/desk/tickets/{number}/")
    expect(agent.locator("[data-chat-state]")).to_have_attribute("data-chat-state", "online")
    agent.fill("#id_content", "Yes, in 3 days.")
    agent.click("#reply-send")
    expect(agent.locator("#reply [data-sent]")).to_be_visible()

    # The visitor sees the answer without reloading (polling every second).
    expect(visitor.locator("[data-chat-transcript]")).to_contain_text(
        "Yes, in 3 days.", timeout=15000
    )
    visitor.fill("[data-chat-send] textarea", "Great, thanks!")
    visitor.click("[data-chat-send] button[type=submit]")
    expect(visitor.locator("[data-chat-transcript]")).to_contain_text("Great, thanks!")
    visitor.click("[data-chat-leave]")
    expect(visitor.locator("[data-chat-left]")).to_be_visible()

    agent.reload()
    expect(agent.locator("[data-chat-state]")).to_have_attribute("data-chat-state", "left")
    expect(agent.locator("#ticket-live")).to_contain_text("Great, thanks!")
    assert errors == []
