"""Admin (same validator), default templates from provisioning, the demo rule, templates."""

import json

import pytest

from automation import demo, services
from automation.models import AutoResponseTemplate, Rule
from automation.responses import DEFAULT_TEMPLATES, render_text, unknown_placeholders
from panel1.exceptions import DomainError
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tests.factories.automation import RuleFactory, act, cond


@pytest.fixture
def admin_client(tenant_client, tenant):
    return tenant_client(AdminFactory())


def admin_form(**overrides):
    data = {
        "name": "From the admin",
        "description": "",
        "trigger_event": "ticket.created",
        "idle_hours": "",
        "conditions": json.dumps([cond("priority", "equals", "HIGH")]),
        "actions": json.dumps([act("escalate_ticket")]),
        "is_active": "on",
        "position": "3",
    }
    return {**data, **overrides}


def test_admin_creates_rules_through_the_validator(admin_client):
    response = admin_client.post("/admin/automation/rule/add/", admin_form())

    assert response.status_code == 302
    rule = Rule.objects.get()
    assert (rule.name, rule.position, rule.conditions[0]["value"]) == ("From the admin", 3, "HIGH")


def test_admin_shows_validation_errors_by_path(admin_client):
    bad = json.dumps([{"field": "priority", "operator": "equals", "value": "SOON"}])

    response = admin_client.post("/admin/automation/rule/add/", admin_form(conditions=bad))

    assert response.status_code == 200
    assert not Rule.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "conditions[0].value" in errors["conditions"][0]


def test_admin_lists_runs_read_only(admin_client, run_on_commit):
    RuleFactory()
    with run_on_commit():
        TicketFactory()

    assert admin_client.get("/admin/automation/rulerun/").status_code == 200
    assert admin_client.get("/admin/automation/rulerun/add/").status_code == 403
    assert admin_client.get("/admin/automation/webhookdelivery/").status_code == 200


def test_admin_refuses_to_delete_a_template_in_use(admin_client):
    RuleFactory(actions=[act("send_auto_response", template="escalation")])
    template = AutoResponseTemplate.objects.get(name="escalation")

    response = admin_client.post(
        f"/admin/automation/autoresponsetemplate/{template.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert AutoResponseTemplate.objects.filter(name="escalation").exists()


def test_templates_in_use_cannot_be_deleted_or_renamed(tenant):
    RuleFactory(name="Ack", actions=[act("send_auto_response", template="acknowledgment")])
    template = AutoResponseTemplate.objects.get(name="acknowledgment")

    with pytest.raises(DomainError, match="Ack"):
        services.template_delete(template=template, actor=None)
    with pytest.raises(DomainError):
        services.template_save(template=template, actor=None, name="ack2", body=template.body)
    unused = AutoResponseTemplate.objects.get(name="business_hours")
    services.template_delete(template=unused, actor=None)
    assert not AutoResponseTemplate.objects.filter(name="business_hours").exists()


def test_provisioning_seeds_the_default_templates_idempotently(tenant):
    assert set(DEFAULT_TEMPLATES) <= set(
        AutoResponseTemplate.objects.values_list("name", flat=True)
    )
    AutoResponseTemplate.objects.filter(name="acknowledgment").update(
        body="Edited {{ticket_number}}"
    )

    assert services.default_templates_create() is False
    assert AutoResponseTemplate.objects.get(name="acknowledgment").body.startswith("Edited")


def test_default_templates_use_only_known_placeholders():
    for _description, subject, body in DEFAULT_TEMPLATES.values():
        assert unknown_placeholders(subject) == [] and unknown_placeholders(body) == []


def test_rendering_fills_placeholders_once_and_leaves_unknown_ones():
    values = {"customer_name": "{{company_name}}", "company_name": "ACME"}

    text = render_text("Hi {{ customer_name }}, {{company_name}} {{nope}} {% now %}", values)

    assert text == "Hi {{company_name}}, ACME {{nope}} {% now %}"


def test_demo_step_adds_the_seed_rule_once(tenant, run_on_commit):
    people = {
        "bob@demo.test": AgentFactory(email="bob@demo.test", name="Bob Agent"),
        "admin@demo.test": AdminFactory(email="admin@demo.test"),
    }
    with run_on_commit():
        assert demo.demo_rules_create(tenant=tenant, people=people) is True
    assert demo.demo_rules_create(tenant=tenant, people=people) is False

    rule = Rule.objects.get(name=demo.HIGH_PRIORITY_RULE)
    assert rule.actions[0] == act("assign_ticket", assigned_to_id=str(people["bob@demo.test"].pk))
    assert Rule.objects.get(name=demo.IDLE_RULE).idle_hours == 72

    with run_on_commit():
        ticket = TicketFactory(priority="HIGH", requester=CustomerFactory(name="Dana"))
    ticket.refresh_from_db()
    assert ticket.assignee == people["bob@demo.test"]
    reply = ticket.messages.get(is_auto_response=True)
    assert "A senior agent, Bob Agent, is already on it" in reply.content
