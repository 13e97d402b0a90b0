"""Rule and template writes take the acting user and record the audit log."""

from automation import services
from automation.models import Rule
from panel1.audit.models import AuditEntry
from tests.factories import SupervisorFactory
from tests.factories.automation import RuleFactory, act, cond


def actions():
    # Security entries (users the factories create, their passwords) are not looked at here.
    entries = AuditEntry.objects.filter(action__startswith="automation.")
    return [e.action for e in entries.order_by("created_at", "id")]


def test_rule_lifecycle_is_audited_with_the_actor(tenant):
    sam = SupervisorFactory()

    rule = services.rule_create(
        actor=sam,
        name="VIP",
        trigger_event="ticket.created",
        conditions=[cond("priority", "equals", "HIGH")],
        actions=[act("add_tags", tags=["vip"])],
    )
    services.rule_update(rule=rule, actor=sam, is_active=False)
    services.rule_delete(rule=rule, actor=sam)

    assert rule.created_by == sam
    assert actions() == [
        "automation.rule.created",
        "automation.rule.updated",
        "automation.rule.deleted",
    ]
    updated = AuditEntry.objects.get(action="automation.rule.updated")
    assert updated.details == {"is_active": [True, False]} and updated.actor_id == sam.pk


def test_webhook_secrets_are_masked_in_the_audit_log(tenant):
    services.rule_create(
        actor=SupervisorFactory(),
        name="Hook",
        trigger_event="ticket.created",
        actions=[act("send_webhook", url="https://hooks.example.com/x", secret="s3cret")],
    )

    details = AuditEntry.objects.get(action="automation.rule.created").details
    assert "s3cret" not in str(details)


def test_reordering_records_the_moved_positions(tenant):
    sam = SupervisorFactory()
    first, second = RuleFactory(position=0), RuleFactory(position=1)

    services.rules_reorder(rule_ids=[str(second.pk), str(first.pk)], actor=sam)
    services.rules_reorder(rule_ids=[str(second.pk), str(first.pk)], actor=sam)  # no change

    (entry,) = AuditEntry.objects.filter(action="automation.rules.reordered")
    assert entry.details["positions"] == {str(second.pk): [1, 0], str(first.pk): [0, 1]}
    assert list(Rule.objects.order_by("position")) == [second, first]


def test_template_writes_are_audited(tenant):
    sam = SupervisorFactory()

    template = services.template_save(actor=sam, name="thanks", body="Thanks {{customer_name}}")
    services.template_save(actor=sam, template=template, name="thanks", body="Thank you")
    services.template_delete(template=template, actor=sam)

    assert actions() == [
        "automation.template.created",
        "automation.template.updated",
        "automation.template.deleted",
    ]
    updated = AuditEntry.objects.get(action="automation.template.updated")
    assert updated.details == {"body": ["Thanks {{customer_name}}", "Thank you"]}


def test_the_api_records_the_caller(tenant, api_client):
    sam = SupervisorFactory()
    body = {
        "name": "Tag urgent",
        "trigger_event": "ticket.created",
        "actions": [{"type": "add_tags", "parameters": {"tags": ["u"]}}],
    }

    created = api_client(sam).post("/api/v1/automation/rules/", body, format="json")

    assert created.status_code == 201, created.content
    assert AuditEntry.objects.get(action="automation.rule.created").actor_id == sam.pk
