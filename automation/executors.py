"""Executing rule actions (through tickets.services) and describing them for dry runs.

Each action type of `automation.actions.ACTION_TYPES` has a runner and a describer here.
Runners act as `Actor.automation(rule)` so the audit trail shows `automation: <rule name>`
and every event they cause carries the rule chain. A runner returns a short summary of what
it did, raises `ActionSkipped` when there was nothing to do, and lets `DomainError` from the
services (e.g. a transition that is not allowed) propagate for the engine to log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from automation.models import AutoResponseTemplate, Rule
from automation.responses import placeholder_values, render_text, template_text
from automation.routing.services import ticket_route
from panel1.accounts.models import STAFF_ROLES, User
from panel1.actors import Actor
from panel1.crypto import decrypt_value
from panel1.events.bus import Event
from panel1.exceptions import DomainError
from tickets import services
from tickets.models import MessageType, Ticket
from tickets.notifiers import StaffNotice, staff_notify


class ActionSkipped(Exception):
    """The action had nothing to do (already so, or turned off); not an error."""


@dataclass(frozen=True)
class Execution:
    rule: Rule
    event: Event
    actor: Actor
    ticket: Ticket


Runner = Callable[[Execution, dict[str, Any]], str]
Describer = Callable[[Ticket, dict[str, Any]], str]


def _user(user_id: str) -> User:
    user = User.objects.filter(pk=user_id, role__in=STAFF_ROLES, is_active=True).first()
    if user is None:
        raise DomainError(
            {
                "assigned_to_id": [
                    _("%(user_id)s is not an active staff user.") % {"user_id": user_id}
                ]
            }
        )
    return user


def _reason(ex: Execution) -> str:
    return f"Automation rule {ex.rule.name!r} on {ex.event.name}"


# --- runners -------------------------------------------------------------------------------


def run_assign_ticket(ex: Execution, params: dict[str, Any]) -> str:
    user = _user(params["assigned_to_id"])
    if ex.ticket.assignee_id == user.pk:
        raise ActionSkipped(f"already assigned to {user.email}")
    services.ticket_assign(ticket=ex.ticket, actor=ex.actor, assignee=user)
    return f"assigned to {user.email}"


def run_change_status(ex: Execution, params: dict[str, Any]) -> str:
    before = ex.ticket.status
    if before == params["status"]:
        raise ActionSkipped(f"status is already {before}")
    services.ticket_status_change(
        ticket=ex.ticket, actor=ex.actor, status=params["status"], reason=_reason(ex)
    )
    return f"status {before} -> {params['status']}"


def run_change_priority(ex: Execution, params: dict[str, Any]) -> str:
    before = ex.ticket.priority
    if before == params["priority"]:
        raise ActionSkipped(f"priority is already {before}")
    services.ticket_update(
        ticket=ex.ticket, actor=ex.actor, priority=params["priority"], reason=_reason(ex)
    )
    return f"priority {before} -> {params['priority']}"


def run_add_tags(ex: Execution, params: dict[str, Any]) -> str:
    before = list(ex.ticket.tags or ())
    updated = services.ticket_update(
        ticket=ex.ticket, actor=ex.actor, tags=[*before, *params["tags"]], reason=_reason(ex)
    )
    added = [tag for tag in updated.tags if tag not in before]
    if not added:
        raise ActionSkipped("the ticket already has these tags")
    return f"tags added: {', '.join(added)}"


def run_add_internal_note(ex: Execution, params: dict[str, Any]) -> str:
    content = render_text(params["content"], placeholder_values(ex.ticket))
    services.message_add(
        ticket=ex.ticket, actor=ex.actor, content=content, message_type=MessageType.INTERNAL_NOTE
    )
    return "internal note added"


def auto_response_template(name: str) -> AutoResponseTemplate:
    template = AutoResponseTemplate.objects.filter(name=name, is_active=True).first()
    if template is None:
        raise DomainError(
            {"template": [_("No active auto-response template %(name)s.") % {"name": repr(name)}]}
        )
    return template


def run_send_auto_response(ex: Execution, params: dict[str, Any]) -> str:
    if not settings.ENABLE_AUTO_RESPONSES:
        raise ActionSkipped("auto-responses are turned off (ENABLE_AUTO_RESPONSES=false)")
    template = auto_response_template(params["template"])
    # The ticket's language when known (detected or the requester's), else the current one.
    _subject, body = template_text(template, language=ex.ticket.language or None)
    content = render_text(body, placeholder_values(ex.ticket))
    services.message_add(
        ticket=ex.ticket,
        actor=ex.actor,
        content=content,
        message_type=MessageType.STAFF_REPLY,
        is_auto_response=True,
    )
    return f"auto-response {template.name!r} sent"


def run_escalate_ticket(ex: Execution, params: dict[str, Any]) -> str:
    updated = services.ticket_escalate(ticket=ex.ticket, actor=ex.actor, reason=_reason(ex))
    return f"escalated to level {updated.escalation_level}"


def run_auto_assign(ex: Execution, params: dict[str, Any]) -> str:
    if ex.ticket.assignee_id is not None:
        raise ActionSkipped("the ticket is already assigned")
    decision = ticket_route(
        ticket_id=ex.ticket.pk,
        actor=ex.actor,
        strategy=params.get("strategy"),
        record_manual=True,
    )
    if decision is None:
        raise ActionSkipped("the ticket cannot be routed (closed or assigned)")
    return decision.reason


def run_notify_users(ex: Execution, params: dict[str, Any]) -> str:
    users = list(
        User.objects.filter(pk__in=params["user_ids"], role__in=STAFF_ROLES, is_active=True)
    )
    if not users:
        raise DomainError({"user_ids": [_("None of these users is an active staff user.")]})
    mentions = ", ".join(f"@{user.get_full_name()}" for user in users)
    message = render_text(params["message"], placeholder_values(ex.ticket))
    note = services.message_add(
        ticket=ex.ticket,
        actor=ex.actor,
        content=f"{mentions}: {message}",
        message_type=MessageType.INTERNAL_NOTE,
    )
    staff_notify(
        StaffNotice(
            ticket_id=str(ex.ticket.pk),
            ticket_number=ex.ticket.number,
            ticket_subject=ex.ticket.subject,
            user_ids=tuple(str(user.pk) for user in users),
            message=message,
            title=message[:120],
            source=f"Sent by the automation rule {ex.rule.name!r}.",
            note_id=str(note.pk),
        )
    )
    return f"notified {', '.join(user.email for user in users)}"


def run_send_webhook(ex: Execution, params: dict[str, Any]) -> str:
    from automation.deliveries import delivery_queue

    delivery = delivery_queue(
        event=ex.event,
        rule=ex.rule,
        ticket=ex.ticket,
        url=params["url"],
        secret=decrypt_value(params.get("secret") or ""),
    )
    return f"webhook to {params['url']} queued (delivery {delivery.pk})"


# --- describers (dry run) ---------------------------------------------------------------


def describe_assign_ticket(ticket: Ticket, params: dict[str, Any]) -> str:
    user = User.objects.filter(pk=params["assigned_to_id"]).first()
    return f"Assign to {user.email if user else params['assigned_to_id']}"


def describe_change_status(ticket: Ticket, params: dict[str, Any]) -> str:
    status = params["status"]
    if ticket.status == status:
        return f"Status is already {status} (nothing to do)"
    if status not in services.ALLOWED_TRANSITIONS[ticket.status]:
        return f"Change status {ticket.status} -> {status} (not allowed: would fail)"
    return f"Change status {ticket.status} -> {status}"


def describe_change_priority(ticket: Ticket, params: dict[str, Any]) -> str:
    return f"Change priority {ticket.priority} -> {params['priority']}"


def describe_add_tags(ticket: Ticket, params: dict[str, Any]) -> str:
    return f"Add tags {', '.join(params['tags'])}"


def describe_add_internal_note(ticket: Ticket, params: dict[str, Any]) -> str:
    return "Add internal note: " + render_text(params["content"], placeholder_values(ticket))


def describe_send_auto_response(ticket: Ticket, params: dict[str, Any]) -> str:
    template = AutoResponseTemplate.objects.filter(name=params["template"]).first()
    if template is None:
        return f"Send auto-response {params['template']!r} (template missing: would fail)"
    _subject, body = template_text(template, language=ticket.language or None)
    text = render_text(body, placeholder_values(ticket))
    prefix = "" if settings.ENABLE_AUTO_RESPONSES else "(auto-responses are off) "
    return f"{prefix}Send auto-response {template.name!r}: {text}"


def describe_escalate_ticket(ticket: Ticket, params: dict[str, Any]) -> str:
    return f"Escalate to level {ticket.escalation_level + 1}"


def describe_auto_assign(ticket: Ticket, params: dict[str, Any]) -> str:
    strategy = params.get("strategy") or "the routing settings' strategy"
    if ticket.assignee_id is not None:
        return f"Route with {strategy} (already assigned: nothing to do)"
    return f"Route to an available agent with {strategy}"


def describe_notify_users(ticket: Ticket, params: dict[str, Any]) -> str:
    emails = User.objects.filter(pk__in=params["user_ids"]).values_list("email", flat=True)
    return f"Notify {', '.join(emails)}: {params['message']}"


def describe_send_webhook(ticket: Ticket, params: dict[str, Any]) -> str:
    signed = " (signed)" if params.get("secret") else ""
    return f"POST the event to {params['url']}{signed}"


EXECUTORS: dict[str, tuple[Runner, Describer]] = {
    "assign_ticket": (run_assign_ticket, describe_assign_ticket),
    "change_status": (run_change_status, describe_change_status),
    "change_priority": (run_change_priority, describe_change_priority),
    "add_tags": (run_add_tags, describe_add_tags),
    "add_internal_note": (run_add_internal_note, describe_add_internal_note),
    "send_auto_response": (run_send_auto_response, describe_send_auto_response),
    "escalate_ticket": (run_escalate_ticket, describe_escalate_ticket),
    "auto_assign": (run_auto_assign, describe_auto_assign),
    "notify_users": (run_notify_users, describe_notify_users),
    "send_webhook": (run_send_webhook, describe_send_webhook),
}


def action_run(ex: Execution, action: dict[str, Any]) -> str:
    runner, _unused = EXECUTORS[action["type"]]
    return runner(ex, action.get("parameters") or {})


def action_describe(ticket: Ticket, action: dict[str, Any]) -> str:
    _unused, describer = EXECUTORS[action["type"]]
    return describer(ticket, action.get("parameters") or {})
