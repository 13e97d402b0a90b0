"""Changes to many tickets at once, for batch jobs (the SLA monitor's escalations).

Each writes what its one-ticket service writes (the row with its version bumped, one history
row per changed field, the event, in-transaction subscribers included) with one UPDATE per
kind of change instead of a lock, a read and a save per ticket. The caller has locked the
tickets (select_for_update, in pk order) in its transaction and holds them as `Ticket`
instances; it runs these inside `bus.batch()` at the batch's own savepoint depth, so the
history rows and events of the whole batch go in with one INSERT each and out with one
dispatch. Each ticket appears once per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.exceptions import PermissionDenied
from panel1.sentinels import UNSET
from tickets.models import Ticket
from tickets.services.lifecycle import assignment_record, escalation_record, update_record


@dataclass
class TicketChange:
    """A priority and/or assignee for one locked ticket (UNSET: leave it). The assignee has
    passed `check_assignable` for this ticket."""

    ticket: Ticket
    priority: Any = UNSET
    assignee: Any = UNSET


def _wanted(change: TicketChange) -> dict[str, Any]:
    """The fields that really change: {"priority": value, "assignee": user or None}."""
    ticket, wanted = change.ticket, {}
    if change.priority is not UNSET and change.priority != ticket.priority:
        wanted["priority"] = change.priority
    if change.assignee is not UNSET:
        assignee_id = change.assignee.pk if change.assignee else None
        if assignee_id != ticket.assignee_id:
            wanted["assignee"] = change.assignee
    return wanted


def _update_groups(changes: list[tuple[TicketChange, dict]]) -> dict[tuple, list]:
    """Tickets grouped by the values they get: one UPDATE per group (one rule, one group)."""
    groups: dict[tuple, list] = {}
    for change, wanted in changes:
        key = (
            wanted.get("priority", UNSET),
            wanted["assignee"].pk if wanted.get("assignee") else wanted.get("assignee", UNSET),
        )
        groups.setdefault(key, []).append(change.ticket.pk)
    return groups


def tickets_update_bulk(*, actor: Actor, changes: Iterable[TicketChange], reason: str) -> int:
    """Raise priorities and assign many locked tickets (see the module docstring); writes
    history and emits `ticket.updated` / `ticket.assigned` as `ticket_update` and
    `ticket_assign` do (one version bump per ticket). Returns how many tickets changed."""
    actor = Actor.of(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can edit ticket properties."))
    changed = [(change, wanted) for change in changes if (wanted := _wanted(change))]
    if not changed:
        return 0
    now = timezone.now()
    for (priority, assignee_id), ids in _update_groups(changed).items():
        values: dict[str, Any] = {"version": F("version") + 1, "updated_at": now}
        if priority is not UNSET:
            values["priority"] = priority
        if assignee_id is not UNSET:
            values.update(assignee_id=assignee_id, routing_reason=None)
        Ticket.objects.filter(pk__in=ids).update(**values)
    previous = _previous_assignees(c.ticket for c, wanted in changed if "assignee" in wanted)
    for change, wanted in changed:
        ticket = change.ticket
        ticket.version += 1
        ticket.updated_at = now
        if "priority" in wanted:
            before, ticket.priority = ticket.priority, wanted["priority"]
            update_record(
                ticket, actor, changes={"priority": [before, ticket.priority]}, reason=reason
            )
        if "assignee" in wanted:
            before = previous.get(ticket.assignee_id)
            ticket.assignee, ticket.routing_reason = wanted["assignee"], None
            assignment_record(ticket, actor, before=before, reason=reason)
    return len(changed)


def _previous_assignees(tickets: Iterable[Ticket]) -> dict:
    """The current assignees of `tickets` (for the history's "before"), in one query."""
    ids = {ticket.assignee_id for ticket in tickets if ticket.assignee_id is not None}
    return User.objects.in_bulk(ids) if ids else {}


def tickets_escalate_bulk(*, actor: Actor, escalations: Iterable[tuple[Ticket, str]]) -> int:
    """Raise the escalation level of many locked tickets by one, each with its reason; writes
    history and emits `ticket.escalated` as `ticket_escalate` does. Returns how many."""
    actor = Actor.of(actor)
    escalations = list(escalations)
    if not escalations:
        return 0
    now = timezone.now()
    Ticket.objects.filter(pk__in=[ticket.pk for ticket, _reason in escalations]).update(
        escalation_level=F("escalation_level") + 1, version=F("version") + 1, updated_at=now
    )
    for ticket, reason in escalations:
        ticket.escalation_level += 1
        ticket.version += 1
        ticket.updated_at = now
        escalation_record(ticket, actor, reason=reason)
    return len(escalations)
