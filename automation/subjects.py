"""Rules triggered by events about a customer or an organization, not a ticket.

`customer.created` and `organization.created` have no ticket for the ticket actions to work
on, so their rules may only send a webhook (`SUBJECT_ACTIONS`), and their conditions see the
new customer's address as the requester fields (`requester_email`, `requester_domain`); the
ticket fields are empty. The run is logged like any other (`RuleRun` without a ticket).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from automation.conditions import RuleValidationError, evaluate_conditions
from automation.models import Rule, RuleRun, WebhookDelivery
from panel1 import jobs
from panel1.accounts.models import User
from panel1.crypto import decrypt_value, encrypt_value
from panel1.events import names
from panel1.events.bus import Event
from panel1.ids import is_uuid, parse_uuid
from tickets.models import Organization

logger = logging.getLogger(__name__)

SUBJECT_EVENTS = (names.CUSTOMER_CREATED, names.ORGANIZATION_CREATED)
SUBJECT_ACTIONS = ("send_webhook",)
SUBJECT_FIELDS = ("requester_email", "requester_domain")


def subject_rule_errors(trigger_event: Any, conditions: Any, actions: Any) -> dict[str, list]:
    """What a customer/organization rule uses that needs a ticket (empty for other rules)."""
    if trigger_event not in SUBJECT_EVENTS:
        return {}
    errors: dict[str, list] = {}
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in SUBJECT_ACTIONS:
            errors[f"actions[{index}].type"] = [
                f"{trigger_event} has no ticket; its rules may only use: "
                + ", ".join(SUBJECT_ACTIONS)
                + "."
            ]
    for path, field in _condition_fields(conditions, "conditions"):
        if field not in SUBJECT_FIELDS:
            errors[f"{path}.field"] = [
                f"{trigger_event} has no ticket; its conditions may only use: "
                + ", ".join(SUBJECT_FIELDS)
                + "."
            ]
    return errors


def _condition_fields(conditions: Any, path: str):
    for index, item in enumerate(conditions if isinstance(conditions, list) else []):
        if not isinstance(item, dict):
            continue
        for group in ("any", "all"):
            if group in item:
                yield from _condition_fields(item[group], f"{path}[{index}].{group}")
        if "field" in item:
            yield f"{path}[{index}]", item["field"]


def subject_snapshot(event: Event) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(condition context, webhook body part) for the customer or organization of `event`;
    None when it no longer exists."""
    payload = event.payload or {}
    if event.name == names.CUSTOMER_CREATED:
        user = User.objects.filter(pk=parse_uuid(payload.get("customer_id") or "")).first()
        if user is None:
            return None
        email = (user.email or "").lower()
        context = {"requester_email": email, "requester_domain": email.rpartition("@")[2]}
        body = {"customer": {"id": str(user.pk), "email": user.email, "name": user.name}}
        return context, body
    organization = Organization.objects.filter(
        pk=parse_uuid(payload.get("organization_id") or "")
    ).first()
    if organization is None:
        return None
    body = {
        "organization": {
            "id": str(organization.pk),
            "name": organization.name,
            "domains": list(organization.domains),
        }
    }
    return {"requester_email": "", "requester_domain": ""}, body


def subject_rules_run(rules: list[Rule], *, event: Event) -> list[RuleRun]:
    """Evaluate customer/organization rules in order; queue the webhooks of those that match."""
    snapshot = subject_snapshot(event)
    if snapshot is None:
        return []
    context, body = snapshot
    runs = []
    for rule in rules:
        started = time.perf_counter()
        run = RuleRun(
            rule=rule,
            event_name=event.name,
            event_id=parse_uuid(event.id),
            ticket=None,
            ticket_number="",
            matched=False,
            chain=list(event.chain),
        )
        try:
            run.matched = evaluate_conditions(rule.conditions, context)
        except RuleValidationError as exc:
            run.errors = [f"Invalid conditions: {exc}"]
        if run.matched:
            run.actions_applied, run.errors = _webhooks(rule, event, body)
        run.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        runs.append(run)
        if run.matched and rule.stop_processing:
            break
    RuleRun.objects.bulk_create(runs)
    return runs


def _webhooks(rule: Rule, event: Event, body: dict[str, Any]):
    applied, errors = [], []
    for index, action in enumerate(rule.actions if isinstance(rule.actions, list) else []):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in SUBJECT_ACTIONS:
            errors.append(
                _("actions[%(index)s] %(kind)s: needs a ticket") % {"index": index, "kind": kind}
            )
            continue
        params = action.get("parameters") or {}
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                rule=rule,
                rule_name=rule.name,
                ticket=None,
                event_name=event.name,
                event_id=event.id if is_uuid(event.id) else None,
                url=params["url"],
                secret=encrypt_value(decrypt_value(params.get("secret") or "")),
                payload=_payload(event, rule, body),
                next_attempt_at=timezone.now(),
            )
            jobs.enqueue("automation.tasks.webhook_deliver_task", str(delivery.pk))
        applied.append(
            {
                "type": kind,
                "result": "applied",
                "detail": f"webhook to {params['url']} queued (delivery {delivery.pk})",
            }
        )
    return applied, errors


def _payload(event: Event, rule: Rule, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": event.name,
        "event_id": event.id,
        "occurred_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "actor": event.actor,
        "rule": {"id": str(rule.pk), "name": rule.name},
        **body,
    }
