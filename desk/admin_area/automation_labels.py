"""Human words for the rule builder: events, fields, operators, actions, parameters, values.

The registries in `automation` speak in names ("ticket.created", "assigned_to_id", "gte");
the builder shows these labels and still stores the names. Anything without a label here
(a field or action a plugin adds) falls back to its name with underscores as spaces.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from automation.models import TRIGGER_EVENTS
from tickets.models import Channel, MessageType, Priority, Status

TRIGGERS = {
    "ticket.created": _("A ticket is created"),
    "ticket.updated": _("A ticket is changed"),
    "ticket.status.changed": _("A ticket's status changes"),
    "ticket.assigned": _("A ticket is assigned"),
    "ticket.resolved": _("A ticket is resolved"),
    "ticket.closed": _("A ticket is closed"),
    "ticket.merged": _("A ticket is merged into another"),
    "message.added": _("A message is added"),
    "sla.at_risk": _("An SLA target is at risk"),
    "sla.breach": _("An SLA target is breached"),
    "ticket.escalated": _("A ticket is escalated"),
    "ticket.idle": _("A ticket has been idle for a while"),
    "survey.completed": _("A customer rates the support"),
    "ticket.mentioned": _("An agent is @mentioned in a note"),
    "ticket.split": _("Messages are split off into a new ticket"),
    "ticket.linked": _("A ticket is linked to another"),
    "customer.created": _("A new customer is added (webhook only)"),
    "organization.created": _("A new organization is added (webhook only)"),
}
FIELDS = {
    "subject": _("Subject"),
    "message_content": _("Message text"),
    "status": _("Status"),
    "priority": _("Priority"),
    "category": _("Category"),
    "category_name": _("Category name"),
    "tags": _("Tags"),
    "channel": _("Channel"),
    "requester_email": _("Requester's email"),
    "requester_domain": _("Requester's email domain"),
    "assignee": _("Assigned agent"),
    "escalation_level": _("Escalation level"),
    "hours_since_created": _("Hours since created"),
    "business_hours_now": _("Within business hours now"),
    "message_type": _("Message type"),
}
OPERATORS = {
    "equals": pgettext_lazy("rule condition operator", "is"),
    "not_equals": _("is not"),
    "contains": pgettext_lazy("rule condition operator", "contains"),
    "not_contains": _("does not contain"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "gt": _("is more than"),
    "gte": _("is at least"),
    "lt": _("is less than"),
    "lte": _("is at most"),
    "is_set": _("is set"),
    "is_not_set": _("is not set"),
    "matches": _("matches the pattern"),
}
ACTIONS = {
    "assign_ticket": _("Assign to an agent"),
    "change_status": _("Change the status"),
    "change_priority": _("Change the priority"),
    "add_tags": _("Add tags"),
    "add_internal_note": _("Add an internal note"),
    "send_auto_response": _("Send an automatic reply"),
    "escalate_ticket": _("Escalate the ticket"),
    "notify_users": _("Notify agents"),
    "send_webhook": _("Call a webhook"),
}
PARAMETERS = {
    "assigned_to_id": _("Agent"),
    "user_ids": _("Agents"),
    "status": _("Status"),
    "priority": _("Priority"),
    "tags": _("Tags"),
    "content": _("Note text"),
    "template": _("Reply template"),
    "message": _("Message"),
    "url": _("Webhook address"),
    "secret": _("Signing secret"),
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
