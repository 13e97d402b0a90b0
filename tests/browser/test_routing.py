"""Routing in real Chromium: the header's availability switch, the team view, the settings
page and the assignee picker asking before an agent at capacity gets another ticket."""

from __future__ import annotations

import os
import re

import pytest
from django_tenants.utils import schema_context

from tests.browser.conftest import CHROMIUM
from tests.browser.test_desk import log_in, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_supervisor_sets_up_routing_and_is_warned_before_over_capacity(live_tenant, browser):
    from automation.routing.services import routing_settings_get
    from tests.factories import AgentFactory, SupervisorFactory, TicketFactory
    from tests.factories.routing import AgentProfileFactory
    from tickets.models import AgentProfile, Ticket
    from tickets.services import ticket_assign

    with schema_context(live_tenant.tenant.schema_name):
        sam = SupervisorFactory(email="sam@desk.test", name="Sam Supervisor")
        full = AgentProfileFactory(user=AgentFactory(name="Fay Full"), capacity=1).user
        ticket_assign(ticket=TicketFactory(subject="Held"), actor=None, assignee=full)
        waiting = TicketFactory(subject="Waiting for an agent")

    page = log_in(browser, live_tenant, sam.email)

    # The header's switch: offline -> online.
    switch = page.locator("#availability-status")
    expect(switch).to_have_value("offline")
    switch.select_option("online")
    expect(page.locator("#availability .status-online")).to_have_count(1)

    # Settings page: load balanced + previous agent.
    page.click(".desk-sidebar >> text=Routing")
    page.wait_for_url(re.compile(r"/desk/routing/"))
    page.select_option("#id_strategy", "load_balanced")
    page.check("#id_previous_agent")
    page.click("text=Save routing settings")
    expect(page.locator(".messages")).to_contain_text("Routing settings saved.")
    shot(page, "routing-settings")

    # Team view: Fay is full.
    page.click(".desk-sidebar >> text=Agents and load")
    expect(page.locator("[data-agent='" + full.email + "'] .load")).to_contain_text("1 / 1")
    shot(page, "team")

    # The picker marks Fay full and asks; declining sends nothing.
    page.goto(live_tenant.url + f"/desk/tickets/{waiting.number}/")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.select_option("#prop-assignee", str(full.pk))
    page.wait_for_timeout(500)
    assert messages and "at capacity" in messages[0]
    assert page.errors == []

    with schema_context(live_tenant.tenant.schema_name):
        assert AgentProfile.objects.get(user=sam).status == "online"
        assert routing_settings_get().strategy == "load_balanced"
        assert Ticket.objects.get(pk=waiting.pk).assignee_id is None
