"""Build the condition context (field name -> value) from a ticket and its triggering event.

The field registry in `automation.conditions` says what each field means; this module is
the one place that reads those values from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from automation.plugin_fields import with_plugin_fields
from panel1.ids import is_uuid, parse_uuid
from sla import calendars
from tickets.models import Message, Ticket

# Events whose triggering message is the ticket's first message.
_FIRST_MESSAGE_EVENTS = ("ticket.created",)


def business_hours_now(ticket: Ticket, now: datetime) -> bool:
    """Whether `now` is within the business hours of the ticket's SLA calendar."""
    return bool(calendars.ticket_in_business_hours(ticket, now))


def triggering_message(ticket: Ticket, payload: Mapping[str, Any], event_name: str):
    """The message the event is about: `message_id` in the payload, or the first message
    of a newly created ticket; None for events without a message."""
    message_id = payload.get("message_id")
    if message_id:
        if not is_uuid(message_id):
            return None
        return Message.objects.filter(pk=message_id, ticket=ticket).first()
    if event_name in _FIRST_MESSAGE_EVENTS:
        return ticket.messages.order_by("created_at", "pk").first()
    return None


def ticket_context(
    ticket: Ticket,
    *,
    message: Message | None = None,
    now: datetime | None = None,
    event_name: str = "",
) -> dict[str, Any]:
    """The values of every registry field for `ticket` (and the triggering `message`); the
    fields plugins bring are computed when a rule reads them (`plugin_fields`)."""
    now = now or timezone.now()
    requester_email = (ticket.requester.email or "").lower() if ticket.requester_id else ""
    category = ticket.category
    values = {
        "subject": ticket.subject,
        "message_content": message.content if message is not None else "",
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category_id,
        "category_name": category.name if category is not None else "",
        "tags": list(ticket.tags or ()),
        "channel": ticket.channel,
        "requester_email": requester_email,
        "requester_domain": requester_email.rpartition("@")[2],
        "assignee": ticket.assignee_id,
        "escalation_level": ticket.escalation_level,
        "hours_since_created": max(0.0, (now - ticket.created_at).total_seconds() / 3600),
        "business_hours_now": business_hours_now(ticket, now),
        "message_type": message.message_type if message is not None else None,
        **dict.fromkeys(SURVEY_FIELDS),
    }
    return with_plugin_fields(values, ticket=ticket, event_name=event_name)


SURVEY_FIELDS = {
    "satisfaction_score": "score",
    "satisfaction_response_time": "response_time",
    "satisfaction_solution": "solution",
    "satisfaction_team": "team",
}


def survey_context(event_name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The survey scores a `survey.completed` event carries (null for other events, so no
    rule evaluation pays a query for them)."""
    if event_name != "survey.completed":
        return dict.fromkeys(SURVEY_FIELDS)
    return {field: _score(payload.get(key)) for field, key in SURVEY_FIELDS.items()}


def _score(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def event_context(
    ticket: Ticket, *, event_name: str, payload: Mapping[str, Any], now: datetime | None = None
) -> dict[str, Any]:
    message = triggering_message(ticket, payload, event_name)
    context = ticket_context(ticket, message=message, now=now, event_name=event_name)
    context.update(survey_context(event_name, payload))
    return context


def load_ticket(ticket_id: Any) -> Ticket | None:
    """The ticket with its requester and category, or None for a missing/malformed id."""
    pk = parse_uuid(ticket_id)
    if pk is None:
        return None
    tickets = Ticket.objects.select_related("requester", "category", "assignee")
    return tickets.filter(pk=pk).order_by().first()
