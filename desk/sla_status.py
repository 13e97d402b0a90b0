"""How the desk shows a ticket's SLA: a traffic light with the next due time, and the SLA
app's account of how its due times were computed, as indented text.

Reads go through `sla.selectors`; this module only shapes them for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sla.models import TicketSLA
from sla.selectors import ticket_sla_state_get
from tickets.models import Status, Ticket

AT_RISK_SHARE = 0.2  # also at risk when less than this share of the target's time is left
EXPLANATION_LOG_ENTRIES = 20
FINISHED = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class SlaSummary:
    state: str  # "ok", "at_risk", "breached", "paused", "met"
    due_at: datetime | None
    label: str  # which target is next: "first response", "next response", "resolution"
    block: dict
    outcome: tuple[str, ...] = ()  # resolved/closed tickets: how each target ended


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m"


def _outcome(block: dict) -> tuple[str, ...]:
    """For a finished ticket, each target as met (how early) or breached (by how much); a
    first response never given on a ticket resolved in time is no breach."""
    lines = []
    resolved = block.get("resolved_at")
    for label, due_key, done in (
        ("First response", "first_response_due_at", block.get("first_responded_at")),
        ("Resolution", "resolution_due_at", resolved),
    ):
        due = block.get(due_key)
        if due is None:
            continue
        done = done or (resolved if label == "First response" else None)
        if done is None:
            continue
        early = (due - done).total_seconds()
        if early >= 0:
            lines.append(f"{label}: met, {_span(early)} before it was due")
        else:
            lines.append(f"{label}: breached by {_span(early)}")
    return tuple(lines)


def sla_summary(ticket: Ticket, now: datetime) -> SlaSummary | None:
    """Where the ticket stands against its SLA: the next due time and a traffic light."""
    state = ticket_sla_state_get(ticket)
    if state is None:
        return None
    block = state.as_api_block(ticket)
    if ticket.status in FINISHED:
        # No countdown on a finished ticket: show how its targets ended.
        outcome = _outcome(block)
        breached = any(block.get(k) for k in block if k.endswith("_breached")) or any(
            "breached" in line for line in outcome
        )
        return SlaSummary(
            state="breached" if breached else "met",
            due_at=None,
            label="",
            block=block,
            outcome=outcome,
        )
    pending = _pending_targets(block)
    label, due = min(pending, key=lambda p: p[1]) if pending else ("", None)
    breached = any(block.get(k) for k in block if k.endswith("_breached"))
    if block.get("paused"):
        light = "paused"
    elif breached or (due is not None and due <= now):
        light = "breached"
    elif due is None:
        light = "met"
    elif _flagged_at_risk(state, pending) or _little_left(ticket, due, now):
        light = "at_risk"
    else:
        light = "ok"
    return SlaSummary(state=light, due_at=due, label=label, block=block)


def _pending_targets(block: dict) -> list[tuple[str, datetime]]:
    pending = []
    if not block.get("first_responded_at") and block.get("first_response_due_at"):
        pending.append(("first response", block["first_response_due_at"]))
    if block.get("next_response_due_at"):
        pending.append(("next response", block["next_response_due_at"]))
    if not block.get("resolved_at") and block.get("resolution_due_at"):
        pending.append(("resolution", block["resolution_due_at"]))
    return pending


def _flagged_at_risk(state: TicketSLA, pending: list[tuple[str, datetime]]) -> bool:
    return any(getattr(state, f"{label.replace(' ', '_')}_at_risk") for label, _ in pending)


def _little_left(ticket: Ticket, due: datetime, now: datetime) -> bool:
    total = (due - ticket.created_at).total_seconds()
    return total > 0 and (due - now).total_seconds() < AT_RISK_SHARE * total


def sla_explanation(ticket: Ticket) -> str:
    """The SLA app's stored calculation, stops and recent log of the ticket, as indented text."""
    state = ticket_sla_state_get(ticket)
    if state is None or not isinstance(state.calculation, dict) or not state.calculation:
        return ""
    explanation: dict = {"calculation": state.calculation}
    if state.pauses:
        explanation["stops"] = state.pauses
    if state.log:
        explanation["log"] = state.log[-EXPLANATION_LOG_ENTRIES:]
    return "\n".join(_tree(explanation))


def _tree(value, indent: str = "") -> list[str]:
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            label = str(key).replace("_", " ")
            if isinstance(item, dict | list) and item:
                lines += [f"{indent}{label}:", *_tree(item, indent + "  ")]
            else:
                lines.append(f"{indent}{label}: {_leaf(item)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                inline = ", ".join(
                    f"{k}: {_leaf(v)}" for k, v in item.items() if v not in (None, "")
                )
                lines.append(f"{indent}- {inline}")
            else:
                lines.append(f"{indent}- {_leaf(item)}")
        return lines
    return [f"{indent}{_leaf(value)}"]


def _leaf(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return "none"
    return str(value)
