"""The SLA monitor: one pass flags at-risk and breached targets and applies escalation rules.

Scheduled every minute for every tenant (django-q2, see SlaConfig.ready) and runnable by hand
with `manage.py run_sla_monitor`. Safe to run twice, concurrently, or after a crash:

* Flags are set by one conditional UPDATE per target and kind (`... WHERE NOT breached`,
  RETURNING the rows it flipped), so each breach and each at-risk is flagged and announced
  exactly once. The rows come from partial indexes on the due and at-risk instants of
  active, unflagged rows: a pass reads the rows that are due, not all open tickets.
* Escalations run in batches of due tickets, one transaction each: the batch's tickets are
  locked with one statement (SKIP LOCKED: a ticket held by a request waits for the next
  pass), their SLA rows with another, and each ticket's due rule is claimed with one
  conditional UPDATE for the batch (append its key to `escalations_applied` where absent)
  before its actions (`sla.escalations.escalations_apply`: bulk ticket services, history
  rows and events with one INSERT each, one dispatch after commit). A crash rolls back
  claims and actions together, and a rerun never applies a rule twice. A rule failing for
  one ticket rolls back the batch, which is retried without that ticket; the ticket goes
  alone (`escalate_ticket`, a savepoint per rule), so the others' escalations still commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Func, Value
from django.db.models.fields import CharField
from django.utils import timezone

from panel1.actors import Actor
from panel1.events import bus, names
from panel1.plugins.state import memo_scope
from sla import escalations
from sla.escalations import DueRule, EscalationFailed
from sla.models import Target, TicketSLA
from sla.services.states import (
    DERIVED_FIELDS,
    escalations_due,
    refresh_state,
    save_derived,
    states_held,
)
from tickets.models import Ticket
from tickets.services.audit import HistoryEntry, ticket_history_record_bulk

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_RULES_PER_TICKET_PASS = 20
MAX_BATCH_RETRIES = 3  # batches retried without a failing ticket before one-by-one
# SQL for "this target's clock is running" on an active row (see the partial indexes).
_RUNNING = {
    Target.FIRST_RESPONSE: '"first_responded_at" IS NULL',
    Target.NEXT_RESPONSE: '"next_response_due_at" IS NOT NULL',
    Target.RESOLUTION: '"resolved_at" IS NULL',
}


@dataclass
class MonitorResult:
    breached: int = 0
    at_risk: int = 0
    escalations: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def sla_monitor_run(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE):
    """Run one monitor pass in the current tenant's schema."""
    with memo_scope():  # plugin settings read once per pass, not once per emitted event
        return _run(now=now or timezone.now(), batch_size=batch_size)


def _run(*, now: dt.datetime, batch_size: int) -> MonitorResult:
    result = MonitorResult()
    # Breaches first: a row found past both instants is flagged breached (and at risk) once,
    # without a stale at-risk announcement.
    for target in Target.values:
        result.breached += _flag(target, breach=True, now=now, batch_size=batch_size)
    for target in Target.values:
        result.at_risk += _flag(target, breach=False, now=now, batch_size=batch_size)
    if settings.ENABLE_ESCALATIONS:
        result.escalations, result.failed = _escalate(now=now, batch_size=batch_size)
    return result


def sla_monitor_task() -> dict:
    """django-q2 entry point (run per tenant by panel1.jobs.fan_out)."""
    return sla_monitor_run().as_dict()


# --- flags -------------------------------------------------------------------------------


def _flag_sql(target: str, *, breach: bool) -> str:
    table = TicketSLA._meta.db_table
    running = f'"active" AND {_RUNNING[target]} AND NOT "{target}_breached"'
    if breach:
        condition = f'{running} AND "{target}_due_at" < %(now)s'
        order = f'"{target}_due_at"'
        sets = f'"{target}_breached" = true, "{target}_at_risk" = true'
        if target == Target.NEXT_RESPONSE:
            sets += ', "next_response_breach_count" = "next_response_breach_count" + 1'
    else:
        condition = f'{running} AND NOT "{target}_at_risk" AND "{target}_risk_at" <= %(now)s'
        order = f'"{target}_risk_at"'
        sets = f'"{target}_at_risk" = true'
    # The inner SELECT takes a bounded batch and skips rows a ticket request holds, SLA rows
    # and tickets alike: the flag is copied to the ticket's row in the same statement (the
    # trigger of sla/migrations/0003), whose lock a request takes before its SLA row's, so
    # the monitor must not wait for it. The outer WHERE re-checks the condition on the row
    # it finally updates.
    tickets = Ticket._meta.db_table
    return (
        f'UPDATE "{table}" SET {sets}, "updated_at" = %(stamp)s '
        f'WHERE "ticket_id" IN (SELECT t."id" FROM "{tickets}" AS t WHERE t."id" IN '
        f'(SELECT "ticket_id" FROM "{table}" WHERE {condition} '
        f"ORDER BY {order} LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
        f"FOR NO KEY UPDATE OF t SKIP LOCKED) AND {condition} "
        f'RETURNING "ticket_id", "{target}_due_at", "{target}_risk_at"'
    )


def _flag(target: str, *, breach: bool, now: dt.datetime, batch_size: int) -> int:
    sql = _flag_sql(target, breach=breach)
    total = 0
    while True:
        # One transaction per batch; its events go in with one INSERT and out with one
        # dispatch (bus.batch).
        with transaction.atomic(), bus.batch():
            with connection.cursor() as cursor:
                cursor.execute(sql, {"now": now, "stamp": timezone.now(), "limit": batch_size})
                rows = cursor.fetchall()
            _announce(target, rows, breach=breach)
        total += len(rows)
        if len(rows) < batch_size:
            return total


def _announce(target: str, rows, *, breach: bool) -> None:
    """Emit `sla.breach` / `sla.at_risk` and write the audit rows for flipped rows."""
    if not rows:
        return
    name = names.SLA_BREACH if breach else names.SLA_AT_RISK
    numbers = dict(Ticket.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "number"))
    label = Target(target).label
    audits = []
    for ticket_id, due_at, risk_at in rows:
        payload = {
            "ticket_id": str(ticket_id),
            "ticket_number": numbers.get(ticket_id, ""),
            "target": target,
            "due_at": due_at.isoformat(),
        }
        if breach:
            detail = f"{label} was due {due_at.isoformat()}."
        else:
            payload["at_risk_at"] = risk_at.isoformat()
            detail = f"{label} is at risk: due {due_at.isoformat()}."
        bus.emit(name, payload=payload, actor="system")
        audits.append(
            HistoryEntry(
                ticket_id=ticket_id,
                event=name,
                field=target,
                after=due_at.isoformat(),
                reason=detail,
            )
        )
    ticket_history_record_bulk(actor=Actor.system(), entries=audits)


# --- escalations ---------------------------------------------------------------------------


def _escalate(*, now: dt.datetime, batch_size: int) -> tuple[int, int]:
    applied = failed = 0
    seen: set = set()
    while True:
        ids = list(
            TicketSLA.objects.filter(active=True, next_escalation_at__lte=now)
            .exclude(pk__in=seen)
            .order_by("next_escalation_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return applied, failed
        seen.update(ids)
        done, bad = _escalate_batch(ids, now=now)
        applied += done
        failed += bad


def _escalate_batch(ticket_ids: list, *, now: dt.datetime) -> tuple[int, int]:
    """Escalate a batch with `escalate_tickets`; return (rules applied, tickets failed).

    A failure tied to one ticket rolls the batch back; that ticket then goes alone through
    `escalate_ticket` (its rules before the failing one are applied, the failure is logged)
    and the others through the batch again. Any other failure sends every ticket of the
    batch through `escalate_ticket`.
    """
    applied = failed = 0
    pending = list(ticket_ids)
    for _retry in range(MAX_BATCH_RETRIES):
        try:
            return applied + escalate_tickets(pending, now=now), failed
        except EscalationFailed as exc:
            logger.warning("SLA escalation batch retried without ticket %s", exc.ticket_id)
            pending.remove(exc.ticket_id)
            done, ok = escalate_ticket(exc.ticket_id, now=now)
        except Exception:
            logger.exception("SLA escalation batch failed; escalating its tickets one by one")
            break
        applied += done
        failed += not ok
    for ticket_id in pending:
        done, ok = escalate_ticket(ticket_id, now=now)
        applied += done
        failed += not ok
    return applied, failed


def escalate_tickets(ticket_ids: list, *, now: dt.datetime) -> int:
    """Apply the due escalation rules of many tickets in one transaction; return how many
    rules were applied.

    Tickets held by a request are skipped (the next pass picks them up). Each round takes
    the first due rule of every ticket, claims them all with one conditional UPDATE and
    applies them with `escalations_apply`; a ticket with several due rules gets one per
    round, as the rules before it may have moved it to another profile. Raises (and rolls
    back the whole batch) on any failure; `_escalate_batch` retries.
    """
    applied = 0
    # The events of the whole batch go in with one INSERT and out with one dispatch.
    with transaction.atomic(), bus.batch():
        tickets = _lock_tickets(ticket_ids)
        states = _lock_states(tickets)
        # The SLA subscribers (a raised priority re-matches the profile) change these
        # locked states in place instead of reading each again.
        with states_held(states):
            for _ in range(MAX_RULES_PER_TICKET_PASS):
                done = _escalation_round(tickets, states, now=now)
                if not done:
                    break
                applied += done
        for state in states.values():
            refresh_state(state, state.profile, now=now)
        save_derived(list(states.values()))
    return applied


def _escalation_round(tickets: dict, states: dict, *, now: dt.datetime) -> int:
    """Claim and apply the first due rule of every ticket; return how many."""
    due = {}
    for pk, state in states.items():
        if found := escalations_due(state, now=now):
            due[pk] = found[0]  # (key, index, rule)
    if not due:
        return 0
    claimed = _claim_rules(due)
    for pk in claimed:
        # Before the rules' actions: a re-match saves the whole state.
        states[pk].escalations_applied.append(due[pk][0])
    escalations.escalations_apply(
        [
            DueRule(ticket=tickets[pk], profile=states[pk].profile, index=index, rule=rule)
            for pk, (_key, index, rule) in due.items()
            if pk in claimed
        ]
    )
    # An unclaimed rule means the row changed under us: read it again.
    states.update(_read_states([pk for pk in due if pk not in claimed]))
    return len(claimed)


def _lock_tickets(ticket_ids: list) -> dict:
    # Lock order as everywhere: tickets (by pk), then their SLA rows. A ticket held by a
    # request is skipped; the next pass picks it up.
    query = Ticket.objects.select_for_update(skip_locked=True).filter(pk__in=ticket_ids)
    return {ticket.pk: ticket for ticket in query.order_by("pk")}


def _lock_states(tickets: dict) -> dict:
    if not tickets:
        return {}
    query = TicketSLA.objects.select_for_update(of=("self",)).select_related("profile")
    return {state.pk: state for state in query.filter(pk__in=list(tickets)).order_by("pk")}


def _read_states(ticket_ids: list) -> dict:
    """States the batch holds locked already, as they are now."""
    if not ticket_ids:
        return {}
    return TicketSLA.objects.select_related("profile").in_bulk(ticket_ids)


def _claim_rules(due: dict) -> set:
    """Claim each ticket's rule (append its key where absent) with one UPDATE; return the
    tickets whose rule was claimed here."""
    table = TicketSLA._meta.db_table
    ids = list(due)
    keys = [due[pk][0] for pk in ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS s SET "escalations_applied" = '
            'array_append(s."escalations_applied", v.key) '
            "FROM unnest(%s::uuid[], %s::varchar(64)[]) AS v(id, key) "
            'WHERE s."ticket_id" = v.id AND NOT (v.key = ANY(s."escalations_applied")) '
            'RETURNING s."ticket_id"',
            [ids, keys],
        )
        return {row[0] for row in cursor.fetchall()}


def _append(key: str) -> Func:
    return Func(
        F("escalations_applied"),
        Value(key, output_field=CharField()),
        function="array_append",
    )


def escalate_ticket(ticket_id, *, now: dt.datetime) -> tuple[int, bool]:
    """Apply one ticket's due escalation rules; return how many were applied and whether the
    ticket went without failure. The path of a ticket whose batch failed.

    One transaction; inside it each rule is claimed (conditional UPDATE) and applied in a
    savepoint of its own. A failing rule rolls back its claim with its actions, is logged,
    and is tried again by the next pass; rules applied before it stay applied.
    """
    applied = 0
    # The events of every rule's services go out with one dispatch after the commit (bus.batch).
    with transaction.atomic(), bus.batch():
        ticket = _lock_tickets([ticket_id]).get(ticket_id)
        if ticket is None:
            return 0, True
        state = _locked_state(ticket_id)
        for _ in range(MAX_RULES_PER_TICKET_PASS):
            due = escalations_due(state, now=now)
            if not due:
                break
            key, index, rule = due[0]
            try:
                applied += _claim_and_apply(state, key=key, index=index, rule=rule, ticket=ticket)
            except Exception:
                logger.exception("SLA escalation %s failed for ticket %s", key, ticket_id)
                return applied, False
            # The rule's actions may have changed both: read again for the next rule.
            state, ticket = _locked_state(ticket_id), None
        refresh_state(state, state.profile, now=now)
        state.save(update_fields=DERIVED_FIELDS)
    return applied, True


def _locked_state(ticket_id) -> TicketSLA:
    return (
        TicketSLA.objects.select_for_update(of=("self",))
        .select_related("profile")
        .get(pk=ticket_id)
    )


def _claim_and_apply(
    state: TicketSLA, *, key: str, index: int, rule: dict, ticket: Ticket | None = None
) -> int:
    with transaction.atomic():
        claimed = (
            TicketSLA.objects.filter(pk=state.pk)
            .exclude(escalations_applied__contains=[key])
            .update(escalations_applied=_append(key))
        )
        if not claimed:
            return 0  # another worker applied it
        if ticket is None:
            ticket = Ticket.objects.get(pk=state.pk)
        escalations.escalation_apply(ticket=ticket, profile=state.profile, index=index, rule=rule)
        return 1
