"""Condition fields that plugins bring: validated, listed with labels, evaluated lazily."""

import json

import pytest

from automation.condition_fields import FIELDS
from automation.models import Rule, RuleRun
from panel1.plugins import ConditionField, Plugin
from panel1.plugins.registry import registry
from tests.factories import AdminFactory, AgentFactory
from tickets.models import Ticket

CALLS: list[str] = []


class Scorer(Plugin):
    name = "scorer"
    version = "1.0.0"
    description = "Scores tickets for automation rules."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    condition_fields = {
        "score": ConditionField(
            method="score", label="Urgency score", type="integer", description="0-10"
        ),
        "tier": ConditionField(
            method="tier", label="Customer tier", type="enum", choices=("gold", "basic")
        ),
        "broken": ConditionField(method="explode", label="Always fails", type="boolean"),
    }

    def score(self, ctx, payload):
        CALLS.append(payload["ticket_id"])
        return 9 if "urgent" in payload["subject"].lower() else 1

    def tier(self, ctx, payload):
        return "gold" if payload["requester_email"].endswith("@vip.test") else "basic"

    def explode(self, ctx, payload):
        raise RuntimeError("no score today")


@pytest.fixture
def scorer(plugin_env):
    """Registering (the test kit) is enough: the automation app follows the registry."""
    CALLS.clear()
    plugin_env.register(Scorer)
    yield plugin_env
    registry.unregister("scorer")
    assert "scorer.score" not in FIELDS


def _rule(api_client, conditions, trigger="ticket.created"):
    return api_client(AdminFactory()).post(
        "/api/v1/automation/rules/",
        {
            "name": "Urgent ones",
            "trigger_event": trigger,
            "conditions": conditions,
            "actions": [{"type": "add_tags", "parameters": {"tags": ["urgent"]}}],
        },
        format="json",
    )


def _create(api_client, subject):
    response = api_client(AgentFactory()).post(
        "/api/v1/tickets/", {"subject": subject, "content": "help"}, format="json"
    )
    assert response.status_code == 201, response.content
    return Ticket.objects.get(pk=response.json()["id"])


def test_fields_are_in_the_registry_with_labels(scorer, api_client):
    fields = {
        f["name"]: f
        for f in api_client(AdminFactory()).get("/api/v1/automation/fields/").json()["fields"]
    }
    assert fields["scorer.score"]["label"] == "Urgency score"
    assert fields["scorer.score"]["type"] == "integer"
    assert "gte" in fields["scorer.score"]["operators"]
    assert fields["scorer.tier"]["choices"] == ["gold", "basic"]
    assert fields["subject"]["label"] is None  # core fields: the desk's own words


def test_the_rule_builder_shows_the_labels(scorer, tenant_client):
    html = tenant_client(AdminFactory()).get("/desk/admin/automation/new/").content.decode()
    data = html.split('id="automation-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    labels = json.loads(data)["labels"]
    assert labels["fields"]["scorer.score"] == "Urgency score"
    assert labels["fields"]["subject"] == "Subject"
    assert "scorer.tier" in [f["name"] for f in json.loads(data)["fields"]]


def test_rules_evaluate_plugin_fields_while_enabled(scorer, api_client):
    assert (
        _rule(api_client, [{"field": "scorer.score", "operator": "gte", "value": 5}]).status_code
        == 201
    )
    scorer.enable("scorer")
    assert "urgent" in _create(api_client, "URGENT: server down").tags
    assert "urgent" not in _create(api_client, "A question").tags
    scorer.disable("scorer")
    assert "urgent" not in _create(api_client, "Urgent again").tags  # disabled: not set
    assert RuleRun.objects.filter(matched=True).count() == 1


def test_values_are_computed_only_when_a_rule_reads_them(scorer, api_client):
    scorer.enable("scorer")
    _rule(api_client, [{"field": "subject", "operator": "contains", "value": "printer"}])
    _create(api_client, "Urgent printer")
    assert CALLS == []
    Rule.objects.all().delete()
    _rule(
        api_client,
        {
            "any": [
                {"field": "scorer.score", "operator": "gt", "value": 5},
                {"field": "scorer.score", "operator": "equals", "value": 1},
            ]
        },
    )
    ticket = _create(api_client, "Urgent printer")
    assert [str(ticket.pk)] == CALLS  # once per evaluation, however many leaves read it


def test_a_failing_field_reads_as_not_set(scorer, api_client):
    scorer.enable("scorer")
    _rule(api_client, [{"field": "scorer.broken", "operator": "equals", "value": False}])
    assert "urgent" not in _create(api_client, "Anything").tags
    assert "no score today" in scorer.state("scorer").last_error


def test_conditions_are_validated_against_the_plugin_field(scorer, api_client):
    response = _rule(api_client, [{"field": "scorer.score", "operator": "contains", "value": "x"}])
    assert response.status_code == 400
    assert "conditions[0].operator" in response.json()
    response = _rule(
        api_client, [{"field": "scorer.tier", "operator": "equals", "value": "silver"}]
    )
    assert response.status_code == 400
    assert "conditions[0].value" in response.json()
    response = _rule(api_client, [{"field": "scorer.nothing", "operator": "equals", "value": 1}])
    assert response.status_code == 400


def test_dry_run_shows_the_value_and_the_label(scorer, api_client, tenant_client):
    scorer.enable("scorer")
    ticket = _create(api_client, "Urgent: printer")
    rule = _rule(api_client, [{"field": "scorer.score", "operator": "gte", "value": 5}]).json()
    body = (
        api_client(AdminFactory())
        .post(
            f"/api/v1/automation/rules/{rule['id']}/test/", {"ticket": ticket.number}, format="json"
        )
        .json()
    )
    assert body["matched"] is True
    assert body["conditions"][0]["actual"] == 9
    assert body["context"]["scorer.score"] == 9
    page = tenant_client(AdminFactory()).post(
        "/desk/admin/automation/dry-run/",
        {
            "name": "Draft",
            "trigger_event": "ticket.created",
            "is_active": "1",
            "conditions_json": json.dumps(
                [{"field": "scorer.score", "operator": "gte", "value": 5}]
            ),
            "actions_json": json.dumps([{"type": "add_tags", "parameters": {"tags": ["x"]}}]),
            "ticket": ticket.number,
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Urgency score" in page.content.decode()
    assert "Would match" in page.content.decode()


def test_invalid_condition_fields_are_refused_naming_the_field():
    from panel1.plugins.validation import validate_plugin

    class Bad(Scorer):
        name = "bad-fields"
        condition_fields = {
            "x": ConditionField(method="score", label="X"),
            "kind": ConditionField(method="score", label="Kind", type="enum"),
            "what": ConditionField(method="missing", label="What"),
            "when": ConditionField(method="score", label="When", type="date"),
        }

    fields = {error.field for error in validate_plugin(Bad())}
    assert {
        "condition_fields.x",
        "condition_fields.kind.choices",
        "condition_fields.what",
        "condition_fields.when.type",
    } <= fields
