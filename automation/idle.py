"""Time-based rules: `ticket.idle` fires when a ticket had no update for a rule's N hours.

A per-tenant schedule runs `idle_rules_run()`. For each active idle rule it finds tickets
untouched for `idle_hours` whose conditions hold now (e.g. status WAITING_ON_CUSTOMER),
claims the (rule, ticket) pair in `IdleFiring` and emits `ticket.idle` with the rule's id;
the engine then runs just that rule. Idempotent per ticket and rule: after the rule fired,
the pair is claimable again only once someone else updates the ticket (its `updated_at`
moves past the `settled_at` recorded after the rule's own changes).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from automation import context as ctx
from automation.conditions import RuleValidationError, evaluate_conditions
from automation.models import IdleFiring, Rule
from panel1.events import bus, names
from tickets.models import Status, Ticket

logger = logging.getLogger(__name__)

BATCH_PER_RULE = 200


def idle_rules_run(*, now: datetime | None = None) -> int:
    """Emit `ticket.idle` for every due (rule, ticket) pair; answer how many fired."""
    now = now or timezone.now()
    fired = 0
    for rule in Rule.objects.filter(
        trigger_event=names.TICKET_IDLE, is_active=True, idle_hours__isnull=False
    ).order_by("position", "created_at"):
        fired += idle_rule_run(rule, now=now)
    return fired


def idle_candidates(rule: Rule, *, now: datetime):
    already = IdleFiring.objects.filter(
        rule=rule, ticket=OuterRef("pk"), settled_at__gte=OuterRef("updated_at")
    )
    return (
        Ticket.objects.filter(updated_at__lte=now - timedelta(hours=rule.idle_hours))
        .exclude(status=Status.CLOSED)
        .exclude(Exists(already))
        .select_related("requester", "category", "assignee")
        .order_by("updated_at")
    )


def idle_rule_run(rule: Rule, *, now: datetime) -> int:
    fired = 0
    for ticket in idle_candidates(rule, now=now)[:BATCH_PER_RULE]:
        try:
            matched = evaluate_conditions(rule.conditions, ctx.ticket_context(ticket, now=now))
        except RuleValidationError:
            logger.warning("automation: idle rule %s has invalid conditions", rule.pk)
            return fired
        if matched and _claim_and_emit(rule, ticket):
            fired += 1
    return fired


def _claim_and_emit(rule: Rule, ticket: Ticket) -> bool:
    """Claim (rule, ticket) for this idle stretch and emit the event in one transaction."""
    try:
        with transaction.atomic():
            claimed = IdleFiring.objects.filter(
                rule=rule, ticket=ticket, settled_at__lt=ticket.updated_at
            ).update(idle_since=ticket.updated_at, settled_at=ticket.updated_at)
            if not claimed:
                # No row yet: create one. A concurrent run hits the unique constraint.
                if IdleFiring.objects.filter(rule=rule, ticket=ticket).exists():
                    return False
                IdleFiring.objects.create(
                    rule=rule,
                    ticket=ticket,
                    idle_since=ticket.updated_at,
                    settled_at=ticket.updated_at,
                )
            bus.emit(
                names.TICKET_IDLE,
                payload={
                    "ticket_id": str(ticket.pk),
                    "ticket_number": ticket.number,
                    "rule_id": str(rule.pk),
                    "idle_hours": rule.idle_hours,
                    "idle_since": ticket.updated_at.isoformat(),
                },
                actor="system",
            )
    except IntegrityError:
        return False
    return True


def idle_firing_settle(*, rule_id, ticket_id) -> None:
    """Record the ticket's `updated_at` after the rule's changes (and the rules they set
    off) settled, so those changes do not start a new idle stretch for this rule."""
    IdleFiring.objects.filter(rule_id=rule_id, ticket_id=ticket_id).update(
        settled_at=Subquery(Ticket.objects.filter(pk=ticket_id).values("updated_at")[:1])
    )
