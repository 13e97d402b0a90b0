"""Webhook deliveries: queue one per `send_webhook` action, attempt, retry with backoff.

A delivery row is written in the rule's transaction; the first attempt runs as a django-q2
task after commit. A failed attempt that is worth retrying sets `next_attempt_at` with
exponential backoff; the per-tenant `automation.webhook_retries` schedule picks due rows.
Each attempt first claims its row with a conditional UPDATE (a lease), so two workers never
send the same attempt.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from automation import webhooks
from automation.models import DeliveryStatus, Rule, WebhookAttempt, WebhookDelivery
from panel1 import jobs
from panel1.events.bus import Event
from panel1.ids import is_uuid
from tickets.models import Ticket

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
LEASE = timedelta(minutes=5)
RETRY_BATCH = 100


def backoff(attempt_count: int) -> timedelta:
    """Wait before attempt n+1 after n failed ones: 1, 2, 4, 8 minutes ... capped at 1 hour."""
    return min(BACKOFF_BASE * (2 ** max(attempt_count - 1, 0)), BACKOFF_CAP)


def webhook_payload(*, event: Event, rule: Rule, ticket: Ticket) -> dict[str, Any]:
    """The JSON body: the event, the rule and a snapshot of the ticket (no internal notes)."""
    return {
        "event": event.name,
        "event_id": event.id,
        "occurred_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "actor": event.actor,
        "changes": event.payload.get("changes") or {},
        "rule": {"id": str(rule.pk), "name": rule.name},
        "ticket": {
            "id": str(ticket.pk),
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "category": str(ticket.category_id) if ticket.category_id else None,
            "tags": list(ticket.tags or ()),
            "channel": ticket.channel,
            "escalation_level": ticket.escalation_level,
            "requester": _person(ticket.requester),
            "assignee": _person(ticket.assignee),
            "created_at": ticket.created_at.isoformat().replace("+00:00", "Z"),
            "updated_at": ticket.updated_at.isoformat().replace("+00:00", "Z"),
        },
    }


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": str(user.pk), "email": user.email, "name": user.name}


def delivery_queue(
    *, event: Event, rule: Rule, ticket: Ticket, url: str, secret: str = ""
) -> WebhookDelivery:
    """Record a delivery and enqueue its first attempt (runs after commit)."""
    delivery = WebhookDelivery.objects.create(
        rule=rule,
        rule_name=rule.name,
        ticket=ticket,
        event_name=event.name,
        event_id=event.id if is_uuid(event.id) else None,
        url=url,
        secret=secret or "",
        payload=webhook_payload(event=event, rule=rule, ticket=ticket),
        next_attempt_at=timezone.now(),
    )
    jobs.enqueue("automation.tasks.webhook_deliver_task", str(delivery.pk))
    return delivery


def _claim(delivery_id: str, now: datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    )


def delivery_attempt(*, delivery_id: str, now: datetime | None = None) -> str | None:
    """Make the next attempt of a due pending delivery; answer its new status (None if the
    delivery was not due or another worker holds it)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    number = delivery.attempt_count + 1
    body = webhooks.encode_payload(delivery.payload)
    headers = {"X-Panel1-Event": delivery.event_name, "X-Panel1-Delivery": str(delivery.pk)}
    try:
        result = webhooks.send(url=delivery.url, body=body, secret=delivery.secret, headers=headers)
    except webhooks.WebhookRefused as exc:
        result = None
        error = str(exc)
    with transaction.atomic():
        if result is None:
            WebhookAttempt.objects.create(delivery=delivery, number=number, error=error)
            _finish(delivery, DeliveryStatus.REFUSED, number, None, error)
        else:
            _record(delivery, number, result, now)
    return delivery.status


def _record(delivery: WebhookDelivery, number: int, result: webhooks.AttemptResult, now) -> None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
    )
    if result.ok:
        _finish(delivery, DeliveryStatus.SUCCEEDED, number, result.status_code, "")
    elif result.retryable and number < MAX_ATTEMPTS:
        delivery.attempt_count = number
        delivery.last_status_code = result.status_code
        delivery.last_error = result.error
        delivery.next_attempt_at = now + backoff(number)
        delivery.save(
            update_fields=["attempt_count", "last_status_code", "last_error", "next_attempt_at"]
        )
    else:
        _finish(delivery, DeliveryStatus.FAILED, number, result.status_code, result.error)
        logger.warning("webhook %s to %s failed: %s", delivery.pk, delivery.url, result.error)


def _finish(delivery, status: str, number: int, status_code: int | None, error: str) -> None:
    delivery.status = status
    delivery.attempt_count = number
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.next_attempt_at = None
    if status == DeliveryStatus.SUCCEEDED:
        delivery.delivered_at = timezone.now()
    delivery.save(
        update_fields=[
            "status",
            "attempt_count",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
        ]
    )


def deliveries_retry_due(*, now: datetime | None = None) -> int:
    """Attempt every pending delivery that is due (the retry schedule); answer how many."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    return sum(1 for pk in due if delivery_attempt(delivery_id=str(pk), now=now) is not None)
