"""The demo tenant's automation: the seed's example rule and an idle rule."""

from __future__ import annotations

from django.db import transaction

from automation import services
from automation.models import AutoResponseTemplate, Rule

HIGH_PRIORITY_TEMPLATE = "high_priority_acknowledgment"
HIGH_PRIORITY_RULE = "High priority: assign to a senior agent and acknowledge"
IDLE_RULE = "Close tickets waiting on the customer for 72 hours"


def demo_rules_create(*, tenant, people) -> bool:
    """Add the seed's example rule (HIGH priority -> senior agent + acknowledgement).

    The rules are created once the seed's transaction commits, after the events of the
    demo tickets were dispatched: the sample history stays as written, and the rules act
    on what happens from then on.
    """
    if Rule.objects.filter(name__in=[HIGH_PRIORITY_RULE, IDLE_RULE]).exists():
        return False
    transaction.on_commit(lambda: _demo_rules_create(people))
    return True


@transaction.atomic
def _demo_rules_create(people) -> None:
    if Rule.objects.filter(name__in=[HIGH_PRIORITY_RULE, IDLE_RULE]).exists():
        return
    admin = people.get("admin@demo.test")
    if not AutoResponseTemplate.objects.filter(name=HIGH_PRIORITY_TEMPLATE).exists():
        services.template_save(
            actor=admin,
            name=HIGH_PRIORITY_TEMPLATE,
            description="Acknowledges a high-priority request and names the senior agent.",
            subject="[{{ticket_number}}] Your high-priority request is being handled",
            body=(
                "Hello {{customer_name}},\n\n"
                "We received your high-priority request {{ticket_number}} "
                '("{{ticket_subject}}"). A senior agent, {{assignee_name}}, is already on '
                "it and will reply shortly.\n\n{{company_name}} Support"
            ),
        )
    senior = people["bob@demo.test"]
    services.rule_create(
        actor=admin,
        name=HIGH_PRIORITY_RULE,
        description="The seed's example rule.",
        trigger_event="ticket.created",
        conditions=[{"field": "priority", "operator": "equals", "value": "HIGH"}],
        actions=[
            {"type": "assign_ticket", "parameters": {"assigned_to_id": str(senior.pk)}},
            {"type": "send_auto_response", "parameters": {"template": HIGH_PRIORITY_TEMPLATE}},
        ],
    )
    services.rule_create(
        actor=admin,
        name=IDLE_RULE,
        description="No answer from the customer for three days: close with a note.",
        trigger_event="ticket.idle",
        idle_hours=72,
        conditions=[{"field": "status", "operator": "equals", "value": "WAITING_ON_CUSTOMER"}],
        actions=[
            {
                "type": "add_internal_note",
                "parameters": {"content": "Closed after 72 hours without an answer."},
            },
            {"type": "change_status", "parameters": {"status": "CLOSED"}},
        ],
    )
