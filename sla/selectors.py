"""Reads shared by the API and the desk: how a ticket's SLA due times came about, and the
filters and ordering that other apps apply to ticket querysets (through `Ticket.sla_state`)."""

from __future__ import annotations

from django.db.models import F, Q

from sla.models import Target, TicketSLA
from tickets.models import Ticket
from tickets.selectors import ticket_get_for


def _iso(value):
    return value.isoformat() if value else None


def _target_state(state: TicketSLA, target: str) -> str:
    due = getattr(state, f"{target}_due_at")
    if due is None:
        return "none"
    if getattr(state, f"{target}_breached"):
        return "breached"
    met = {
        Target.FIRST_RESPONSE: state.first_responded_at,
        Target.NEXT_RESPONSE: None,
        Target.RESOLUTION: state.resolved_at,
    }[target]
    if met is not None:
        return "met"
    if state.is_closed:
        return "stopped"
    return "paused" if not state.active else "running"


def _status(state: TicketSLA) -> dict:
    met_at = {
        Target.FIRST_RESPONSE: state.first_responded_at,
        Target.NEXT_RESPONSE: None,
        Target.RESOLUTION: state.resolved_at,
    }
    targets = {
        target: {
            "state": _target_state(state, target),
            "due_at": _iso(getattr(state, f"{target}_due_at")),
            "at_risk_at": _iso(getattr(state, f"{target}_risk_at")),
            "met_at": _iso(met_at[target]),
            "at_risk": getattr(state, f"{target}_at_risk"),
            "breached": getattr(state, f"{target}_breached"),
        }
        for target in Target.values
    }
    targets[Target.NEXT_RESPONSE]["waiting_since"] = _iso(state.next_response_started_at)
    targets[Target.NEXT_RESPONSE]["breaches"] = state.next_response_breach_count
    current = None
    if state.paused_since is not None:
        current = {"since": _iso(state.paused_since), "reason": state.paused_reason}
    return {
        "targets": targets,
        "paused": state.paused,
        "current_stop": current,
        "stops": state.pauses,
        "paused_business_minutes": round(state.paused_business_seconds / 60, 2),
        "closed": state.is_closed,
    }


def ticket_sla_explanation(*, user, ticket_ref: str) -> dict:
    """How the ticket's due times were computed: profile, calendar, starts, targets, stops,
    outcomes and the calculation log. Raises NotFound if `user` may not see the ticket."""
    ticket: Ticket = ticket_get_for(user, ticket_ref)
    state = TicketSLA.objects.filter(pk=ticket.pk).first()
    if state is None:
        return {
            "ticket": ticket.pk,
            "number": ticket.number,
            "profile": None,
            "status": {},
            "calculation": {"note": "This ticket has no SLA clock."},
            "escalations_applied": [],
            "log": [],
        }
    profile = None
    if state.profile_name:
        profile = {
            "id": str(state.profile_id) if state.profile_id else None,
            "name": state.profile_name,
            "deleted": state.profile_id is None,
        }
    return {
        "ticket": ticket.pk,
        "number": ticket.number,
        "profile": profile,
        "status": _status(state),
        "calculation": state.calculation,
        "escalations_applied": state.escalations_applied,
        "log": state.log,
    }


def ticket_sla_state_get(ticket: Ticket) -> TicketSLA | None:
    """The ticket's SLA clock (through the cached `sla_state` relation), or None without one."""
    try:
        return ticket.sla_state
    except TicketSLA.DoesNotExist:
        return None


def ticket_sla_breached_q() -> Q:
    """Tickets with any target breached (a filter on `Ticket` querysets; the ticket's copy of
    its SLA row's flags, see sla/migrations/0003)."""
    return Q(sla_breached=True)


def ticket_sla_at_risk_q() -> Q:
    """Tickets with a target flagged at risk and not (yet) breached: once breached, a ticket
    is listed as breached."""
    return Q(sla_at_risk=True)


def ticket_sla_next_due():
    """The nearest due time still pending of a ticket (an expression on `Ticket`; NULL when
    nothing is due): a met first response or resolution keeps its due time on the row. The
    ticket's own column, which the open tickets' indexes order (see sla/migrations/0003)."""
    return F("sla_next_due_at")
