"""What one escalation rule does to a ticket: raise priority, reassign, notify, escalate."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.exceptions import DomainError
from sla.models import SlaProfile
from sla.notifications import escalation_notify
from tickets.models import PRIORITY_RANK, Priority, Ticket
from tickets.services import ticket_assign, ticket_escalate, ticket_update


def _attempt(problems: list[str], what: str, action) -> None:
    """Run a service; a refusal (say, the assignee left) is noted, not retried forever."""
    try:
        with transaction.atomic():
            action()
    except DomainError as exc:
        problems.append(_("Could not %(what)s: %(exc)s.") % {"what": what, "exc": exc})


def escalation_apply(*, ticket: Ticket, profile: SlaProfile, index: int, rule: dict) -> None:
    """Apply rule `index` of `profile` to the locked `ticket`; the caller claimed the rule in
    this same transaction. Emits `ticket.escalated` (and whatever the services emit)."""
    actor = Actor.system()
    reason = (
        f"SLA escalation: rule {index + 1} of profile {profile.name!r} "
        f"({rule['after_minutes']} business minutes without resolution)."
    )
    problems: list[str] = []
    priority = rule.get("change_priority")
    if priority and PRIORITY_RANK[priority] > PRIORITY_RANK[ticket.priority]:
        _attempt(
            problems,
            _("raise the priority to %(priority)s") % {"priority": Priority(priority).label},
            lambda: ticket_update(ticket=ticket, actor=actor, priority=priority, reason=reason),
        )
    assignee_id = rule.get("assign_to_id")
    if assignee_id:
        assignee = User.objects.filter(pk=assignee_id).first()
        if assignee is None:
            problems.append(
                _("Could not assign: user %(assignee_id)s no longer exists.")
                % {"assignee_id": assignee_id}
            )
        else:
            _attempt(
                problems,
                _("assign to %(email)s") % {"email": assignee.email},
                lambda: ticket_assign(ticket=ticket, actor=actor, assignee=assignee),
            )
    text = " ".join([reason, *problems])
    notify = rule.get("notify_user_ids") or []
    users = list(User.objects.filter(pk__in=notify, is_active=True)) if notify else []
    escalation_notify(ticket=ticket, users=users, text=text, actor=actor)
    ticket_escalate(ticket=ticket, actor=actor, reason=text)
