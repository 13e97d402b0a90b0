"""Automation actions that plugins bring run like built-in ones, only while enabled."""

import pytest

from automation.models import RuleRun
from automation.plugin_actions import plugin_actions_register
from panel1.plugins import AutomationAction, Plugin
from panel1.plugins.registry import registry
from tests.factories import AdminFactory, AgentFactory
from tickets.models import Ticket


class Tagger(Plugin):
    name = "tagger"
    version = "1.0.0"
    description = "Tags tickets from automation rules."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    permissions = ["tickets:read", "tickets:write"]
    automation_actions = {
        "tag": AutomationAction(
            method="tag", description="Add tags", parameters={"tags": "string_list"}
        )
    }

    def tag(self, ctx, payload):
        ctx.tickets.add_tags(payload["ticket_id"], payload["parameters"]["tags"])
        return f"tagged {payload['number']}"


@pytest.fixture
def tagger(plugin_env):
    plugin_env.register(Tagger)
    plugin_actions_register()
    yield plugin_env
    registry.unregister("tagger")
    plugin_actions_register()


def _rule(api_client, **action):
    return api_client(AdminFactory()).post(
        "/api/v1/automation/rules/",
        {
            "name": "Tag VIPs",
            "trigger_event": "ticket.created",
            "conditions": [],
            "actions": [action],
        },
        format="json",
    )


def test_plugin_action_runs_from_a_rule_when_enabled(tagger, api_client):
    assert _rule(api_client, type="tagger.tag", parameters={"tags": ["vip"]}).status_code == 201
    tagger.enable("tagger")
    response = api_client(AgentFactory()).post(
        "/api/v1/tickets/", {"subject": "Printer", "content": "jammed"}, format="json"
    )
    assert "vip" in Ticket.objects.get(pk=response.json()["id"]).tags


def test_plugin_action_is_skipped_while_disabled(tagger, api_client):
    _rule(api_client, type="tagger.tag", parameters={"tags": ["vip"]})
    response = api_client(AgentFactory()).post(
        "/api/v1/tickets/", {"subject": "Printer", "content": "jammed"}, format="json"
    )
    assert "vip" not in Ticket.objects.get(pk=response.json()["id"]).tags
    run = RuleRun.objects.get(ticket_id=response.json()["id"])
    assert run.actions_applied[0]["result"] != "applied"


def test_plugin_action_parameters_are_validated(tagger, api_client):
    response = _rule(api_client, type="tagger.tag", parameters={})
    assert response.status_code == 400
    assert "actions[0].parameters.tags" in response.json()
