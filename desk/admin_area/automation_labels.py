"""Human words for the rule builder: events, fields, operators, actions, parameters, values.

The registries in `automation` speak in names ("ticket.created", "assigned_to_id", "gte");
the builder shows these labels and still stores the names. Anything without a label here
(a field or action a plugin adds) falls back to its name with underscores as spaces.
"""

from __future__ import annotations

from automation.models import TRIGGER_EVENTS
from tickets.models import Channel, MessageType, Priority, Status

TRIGGERS = {
    "ticket.created": "A ticket is created",
    "ticket.updated": "A ticket is changed",
    "ticket.status.changed": "A ticket's status changes",
    "ticket.assigned": "A ticket is assigned",
    "ticket.resolved": "A ticket is resolved",
    "ticket.closed": "A ticket is closed",
    "ticket.merged": "A ticket is merged into another",
    "message.added": "A message is added",
    "sla.at_risk": "An SLA target is at risk",
    "sla.breach": "An SLA target is breached",
    "ticket.escalated": "A ticket is escalated",
    "ticket.idle": "A ticket has been idle for a while",
    "survey.completed": "A customer rates the support",
    "ticket.mentioned": "An agent is @mentioned in a note",
    "ticket.split": "Messages are split off into a new ticket",
    "ticket.linked": "A ticket is linked to another",
    "customer.created": "A new customer is added (webhook only)",
    "organization.created": "A new organization is added (webhook only)",
}
FIELDS = {
    "subject": "Subject",
    "message_content": "Message text",
    "status": "Status",
    "priority": "Priority",
    "category": "Category",
    "category_name": "Category name",
    "tags": "Tags",
    "channel": "Channel",
    "requester_email": "Requester's email",
    "requester_domain": "Requester's email domain",
    "assignee": "Assigned agent",
    "escalation_level": "Escalation level",
    "hours_since_created": "Hours since created",
    "business_hours_now": "Within business hours now",
    "message_type": "Message type",
}
OPERATORS = {
    "equals": "is",
    "not_equals": "is not",
    "contains": "contains",
    "not_contains": "does not contain",
    "in": "is one of",
    "not_in": "is none of",
    "gt": "is more than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "is_set": "is set",
    "is_not_set": "is not set",
    "matches": "matches the pattern",
}
ACTIONS = {
    "assign_ticket": "Assign to an agent",
    "change_status": "Change the status",
    "change_priority": "Change the priority",
    "add_tags": "Add tags",
    "add_internal_note": "Add an internal note",
    "send_auto_response": "Send an automatic reply",
    "escalate_ticket": "Escalate the ticket",
    "notify_users": "Notify agents",
    "send_webhook": "Call a webhook",
}
PARAMETERS = {
    "assigned_to_id": "Agent",
    "user_ids": "Agents",
    "status": "Status",
    "priority": "Priority",
    "tags": "Tags",
    "content": "Note text",
    "template": "Reply template",
    "message": "Message",
    "url": "Webhook address",
    "secret": "Signing secret",
}


def value_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for choices in (Status, Priority, Channel, MessageType):
        labels.update({value: str(label) for value, label in choices.choices})
    return labels


def trigger_label(name: str) -> str:
    return TRIGGERS.get(name, name)


def trigger_choices() -> list[tuple[str, str]]:
    return [(name, trigger_label(name)) for name in TRIGGER_EVENTS]


def plugin_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The labels of the condition fields and actions plugins bring (from the registries)."""
    from automation.actions import ACTION_TYPES
    from automation.condition_fields import FIELDS as FIELD_SPECS

    fields = {name: spec.label for name, spec in FIELD_SPECS.items() if spec.label}
    actions = {name: spec.description for name, spec in ACTION_TYPES.items() if "." in name}
    return fields, actions


def field_label(name: str) -> str:
    return FIELDS.get(name) or plugin_labels()[0].get(name, name)


def builder_labels() -> dict[str, dict[str, str]]:
    plugin_fields, plugin_actions = plugin_labels()
    return {
        "triggers": dict(trigger_choices()),
        "fields": {**plugin_fields, **FIELDS},
        "operators": OPERATORS,
        "actions": {**plugin_actions, **ACTIONS},
        "parameters": PARAMETERS,
        "values": value_labels(),
    }


def path_label(path: str) -> str:
    """ "conditions[0].any[1].value" -> "Condition 1 › 2 › value" (1-based, for people)."""
    import re

    if not path:
        return ""
    words = {"conditions": "Condition", "actions": "Action", "parameters": ""}

    def step(match: re.Match) -> str:
        name, index = match.group(1), match.group(2)
        label = words.get(name, "")
        return f"{label} {int(index) + 1}".strip() if index is not None else name

    parts = [step(m) for m in re.finditer(r"(\w+)(?:\[(\d+)\])?", path)]
    return " › ".join(part.replace("_", " ") for part in parts if part)
