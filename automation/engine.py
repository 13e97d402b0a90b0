"""The automation engine: evaluate a trigger's active rules on each event, in position order.

Subscribed after commit to every trigger event (see `AutomationConfig.ready`). Loop safety:
actions run as `Actor.automation(rule, chain=event.chain)`, so every event they cause carries
the chain of rule ids that led to it. A rule never runs for an event whose chain already
holds it, and events whose chain reached `MAX_CHAIN_DEPTH` run no rules at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from automation import context as ctx
from automation.conditions import RuleValidationError, evaluate_conditions, explain_conditions
from automation.executors import ActionSkipped, Execution, action_describe, action_run
from automation.models import Rule, RuleRun
from automation.subjects import SUBJECT_EVENTS, subject_rules_run
from panel1 import tenant_cache
from panel1.actors import Actor
from panel1.events import names
from panel1.events.bus import MAX_CHAIN_DEPTH, Event
from panel1.exceptions import DomainError
from panel1.ids import parse_uuid
from tickets.models import Ticket

logger = logging.getLogger(__name__)
RULES_CACHE_KEY = "automation:active-rules:v1"


def active_rules(trigger_event: str) -> list[Rule]:
    """The active rules of `trigger_event` in position order. Every event of the tenant asks,
    so all active rules are kept in process memory per tenant (`panel1.tenant_cache`) and
    dropped when a rule changes (`forget_active_rules`)."""
    return list(tenant_cache.cached(RULES_CACHE_KEY, _active_rules_load).get(trigger_event, ()))


def _active_rules_load() -> dict[str, list[Rule]]:
    by_trigger: dict[str, list[Rule]] = {}
    active = Rule.objects.filter(is_active=True).order_by("position", "created_at", "pk")
    for rule in active:
        by_trigger.setdefault(rule.trigger_event, []).append(rule)
    return by_trigger


def has_active_rules(trigger_event: str) -> bool:
    return bool(tenant_cache.cached(RULES_CACHE_KEY, _active_rules_load).get(trigger_event))


def forget_active_rules() -> None:
    """A new configuration version now and again after commit (`panel1.tenant_cache`)."""
    tenant_cache.bump()


@receiver(post_save, sender=Rule)
@receiver(post_delete, sender=Rule)
def _rule_changed(sender, **kwargs) -> None:
    forget_active_rules()


def handle_event(event: Event) -> None:
    """Run the active rules of `event.name` against its ticket (the bus's after-commit hook)."""
    if len(event.chain) >= MAX_CHAIN_DEPTH:
        logger.info("automation: chain depth %d reached at %s", MAX_CHAIN_DEPTH, event.id)
        return
    rules = active_rules(event.name)
    if event.name == names.TICKET_IDLE and event.payload.get("rule_id"):
        # The idle job emits one event per (rule, ticket) whose idle time is due.
        rules = [rule for rule in rules if str(rule.pk) == str(event.payload["rule_id"])]
    rules = [rule for rule in rules if str(rule.pk) not in event.chain]
    if not rules:
        return
    if event.name in SUBJECT_EVENTS:  # a customer or an organization: no ticket
        subject_rules_run(rules, event=event)
        return
    ticket = ctx.load_ticket(event.ticket_id)
    if ticket is None:
        return
    rules_run(rules, event=event, ticket=ticket)


def rules_run(rules: Iterable[Rule], *, event: Event, ticket: Ticket) -> list[RuleRun]:
    """Evaluate `rules` in order, apply the actions of those that match; log every run."""
    runs: list[RuleRun] = []
    context: dict[str, Any] | None = None
    for rule in rules:
        if context is None:
            context = ctx.event_context(ticket, event_name=event.name, payload=event.payload)
        run = rule_apply(rule, event=event, ticket=ticket, context=context)
        runs.append(run)
        if any(action["result"] == "applied" for action in run.actions_applied):
            # Later rules see the ticket as this rule left it.
            ticket = ctx.load_ticket(ticket.pk) or ticket
            context = None
        if run.matched and rule.stop_processing:
            break
    RuleRun.objects.bulk_create(runs)
    return runs


def rule_apply(rule: Rule, *, event: Event, ticket: Ticket, context: dict[str, Any]) -> RuleRun:
    """Evaluate one rule and, if it matches, run its actions; answer the unsaved log row."""
    started = time.perf_counter()
    run = RuleRun(
        rule=rule,
        event_name=event.name,
        event_id=parse_uuid(event.id),
        ticket=ticket,
        ticket_number=ticket.number,
        matched=False,
        chain=list(event.chain),
    )
    try:
        run.matched = evaluate_conditions(rule.conditions, context)
    except RuleValidationError as exc:
        run.errors = [f"Invalid conditions: {exc}"]
    if run.matched:
        actor = Actor.automation(rule.name, rule_id=str(rule.pk), chain=event.chain)
        applied, errors = _run_actions(rule, event=event, actor=actor, ticket=ticket)
        run.actions_applied, run.errors = applied, errors
        if event.name == names.TICKET_IDLE:
            from automation.idle import idle_firing_settle

            transaction.on_commit(lambda: idle_firing_settle(rule_id=rule.pk, ticket_id=ticket.pk))
    run.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    return run


def _run_actions(rule: Rule, *, event: Event, actor: Actor, ticket: Ticket):
    applied: list[dict[str, Any]] = []
    errors: list[str] = []
    for index, action in enumerate(rule.actions if isinstance(rule.actions, list) else []):
        kind = action.get("type") if isinstance(action, dict) else None
        try:
            # Each action in its own savepoint: one failing action (a transition that is
            # not allowed, a template that was deleted) does not undo the others.
            with transaction.atomic():
                ticket.refresh_from_db()
                summary = action_run(Execution(rule, event, actor, ticket), action)
        except ActionSkipped as exc:
            applied.append({"type": kind, "result": "skipped", "detail": str(exc)})
        except DomainError as exc:
            errors.append(
                _("actions[%(index)s] %(kind)s: %(exc)s")
                % {"index": index, "kind": kind, "exc": exc}
            )
        except Exception as exc:  # a bug must not stop the other actions or rules
            logger.exception("automation: action %s of rule %s failed", kind, rule.pk)
            errors.append(
                _("actions[%(index)s] %(kind)s: unexpected error (%(name)s)")
                % {"index": index, "kind": kind, "name": type(exc).__name__}
            )
        else:
            applied.append({"type": kind, "result": "applied", "detail": summary})
    return applied, errors


# --- dry runs ----------------------------------------------------------------------------


@dataclass
class DryRun:
    matched: bool
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    context: dict[str, Any]
    errors: list[str] = field(default_factory=list)


def rule_dry_run(rule: Rule, *, ticket: Ticket) -> DryRun:
    """Say whether `rule` (saved or not) would match `ticket` now and what it would do.

    Changes nothing: no action runs, no event is emitted. The message fields read the
    ticket's latest message (its first one for ticket.created rules).
    """
    ticket = ctx.load_ticket(ticket.pk) or ticket
    message = _dry_run_message(ticket, rule.trigger_event)
    context = ctx.ticket_context(ticket, message=message)
    try:
        matched = evaluate_conditions(rule.conditions, context)
        explanation = explain_conditions(rule.conditions, context)
    except RuleValidationError as exc:
        return DryRun(False, [], [], _jsonable(context), [f"Invalid conditions: {exc}"])
    plans = [
        {
            "type": action["type"],
            "parameters": action.get("parameters") or {},
            "description": action_describe(ticket, action),
        }
        for action in rule.actions
    ]
    return DryRun(matched, explanation, plans if matched else [], _jsonable(context))


def _dry_run_message(ticket: Ticket, trigger_event: str):
    if trigger_event == names.TICKET_CREATED:
        return ticket.messages.order_by("created_at", "pk").first()
    if trigger_event == names.MESSAGE_ADDED:
        return ticket.messages.order_by("-created_at", "-pk").first()
    return None


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {
        key: str(value) if value is not None and key in ("category", "assignee") else value
        for key, value in context.items()
    }
