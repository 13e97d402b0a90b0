"""What escalation rules do to tickets: raise priority, reassign, notify, escalate.

Rules are applied to many tickets at once (`escalations_apply`): the priority raises and
assignments of all of them with one UPDATE per distinct change, the notices' internal notes
with one INSERT (and one UPDATE touching their tickets), the escalation levels with one more
UPDATE, history rows and events through the caller's `bus.batch()`. One ticket is the same
call with one item (`escalation_apply`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.exceptions import DomainError
from panel1.sentinels import UNSET
from sla.models import SlaProfile
from sla.notifications import EscalationNotice, escalation_notify
from tickets.models import PRIORITY_RANK, Ticket
from tickets.services.bulk import TicketChange, tickets_escalate_bulk, tickets_update_bulk
from tickets.services.lifecycle import check_assignable


class EscalationFailed(Exception):
    """Applying a rule failed for this one ticket (the cause is chained)."""

    def __init__(self, ticket_id):
        super().__init__(f"SLA escalation failed for ticket {ticket_id}")
        self.ticket_id = ticket_id


@dataclass(frozen=True)
class DueRule:
    """Rule `index` of `profile`, due on `ticket` (locked) and claimed by the caller."""

    ticket: Ticket
    profile: SlaProfile
    index: int
    rule: dict


@dataclass
class _Plan:
    item: DueRule
    reason: str
    change: TicketChange
    problems: list[str] = field(default_factory=list)
    notify: list[User] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join([self.reason, *self.problems])


def escalation_reason(profile: SlaProfile, index: int, rule: dict) -> str:
    return (
        f"SLA escalation: rule {index + 1} of profile {profile.name!r} "
        f"({rule['after_minutes']} business minutes without resolution)."
    )


@contextlib.contextmanager
def _blame(ticket: Ticket):
    """Tie a failure to its ticket, so the caller can retry the others without it."""
    try:
        yield
    except Exception as exc:
        raise EscalationFailed(ticket.pk) from exc


def escalation_apply(*, ticket: Ticket, profile: SlaProfile, index: int, rule: dict) -> None:
    """Apply rule `index` of `profile` to the locked `ticket` (see `escalations_apply`)."""
    escalations_apply([DueRule(ticket=ticket, profile=profile, index=index, rule=rule)])


def escalations_apply(items: list[DueRule]) -> None:
    """Apply one due rule to each of many locked tickets (each ticket once); the caller
    claimed the rules in this same transaction. A refused action (say, the assignee left) is
    noted in the escalation's text, not retried. Emits `ticket.updated`, `ticket.assigned`,
    `message.added` (the notice) and `ticket.escalated` per ticket, in that order. A failure
    while working out one ticket's actions raises EscalationFailed; others propagate."""
    actor = Actor.system()
    people = _people(items)
    plans = []
    for item in items:
        with _blame(item.ticket):
            plans.append(_plan(item, people))
    for reason, group in _by_reason(plans).items():
        tickets_update_bulk(actor=actor, changes=[plan.change for plan in group], reason=reason)
    escalation_notify(
        notices=[
            EscalationNotice(ticket=p.item.ticket, users=p.notify, text=p.text) for p in plans
        ],
        actor=actor,
    )
    escalated = [(plan.item.ticket, plan.text) for plan in plans]
    tickets_escalate_bulk(actor=actor, escalations=escalated)


def _people(items: list[DueRule]) -> dict[str, User]:
    """Every assignee and person to notify that the rules name, in one query."""
    ids = set()
    for item in items:
        ids.update(str(pk) for pk in item.rule.get("notify_user_ids") or [])
        if item.rule.get("assign_to_id"):
            ids.add(str(item.rule["assign_to_id"]))
    if not ids:
        return {}
    return {str(user.pk): user for user in User.objects.filter(pk__in=ids)}


def _plan(item: DueRule, people: dict[str, User]) -> _Plan:
    ticket, rule = item.ticket, item.rule
    plan = _Plan(
        item=item,
        reason=escalation_reason(item.profile, item.index, rule),
        change=TicketChange(ticket=ticket),
    )
    priority = rule.get("change_priority")
    if priority and PRIORITY_RANK[priority] > PRIORITY_RANK[ticket.priority]:
        plan.change.priority = priority
    assignee_id = rule.get("assign_to_id")
    if assignee_id:
        plan.change.assignee = _assignee(plan, people.get(str(assignee_id)), assignee_id)
    notify = [str(pk) for pk in rule.get("notify_user_ids") or []]
    plan.notify = [people[pk] for pk in notify if pk in people and people[pk].is_active]
    return plan


def _assignee(plan: _Plan, assignee: User | None, assignee_id):
    """The rule's assignee if the ticket may go to them; else UNSET and the refusal noted."""
    if assignee is None:
        plan.problems.append(
            _("Could not assign: user %(assignee_id)s no longer exists.")
            % {"assignee_id": assignee_id}
        )
        return UNSET
    try:
        check_assignable(ticket=plan.item.ticket, assignee=assignee)
    except DomainError as exc:
        what = _("assign to %(email)s") % {"email": assignee.email}
        plan.problems.append(_("Could not %(what)s: %(exc)s.") % {"what": what, "exc": exc})
        return UNSET
    return assignee


def _by_reason(plans: list[_Plan]) -> dict[str, list[_Plan]]:
    """Plans that change the ticket, by their history reason (one per rule and profile)."""
    groups: dict[str, list[_Plan]] = {}
    for plan in plans:
        if plan.change.priority is not UNSET or plan.change.assignee is not UNSET:
            groups.setdefault(plan.reason, []).append(plan)
    return groups
