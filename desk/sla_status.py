"""How the desk shows a ticket's SLA: a traffic light with the next due time, and the SLA
app's account of how its due times were computed, as sentences in the calendar's zone.

Reads go through `sla.selectors`; this module only shapes them for the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from desk.dates import date_format
from desk.timeline import TARGET_LABELS, profile_reassignment, target_label
from sla.calculation import calendar_of
from sla.clock import describe
from sla.models import TicketSLA
from sla.selectors import ticket_sla_state_get
from tickets.models import Status, Ticket

AT_RISK_SHARE = 0.2  # also at risk when less than this share of the target's time is left
EXPLANATION_LOG_ENTRIES = 20
FINISHED = (Status.RESOLVED, Status.CLOSED)
STATE_LABELS = {
    "ok": pgettext_lazy("SLA state", "On track"),
    "at_risk": pgettext_lazy("SLA state", "At risk"),
    "breached": pgettext_lazy("SLA state", "Breached"),
    "paused": pgettext_lazy("SLA state", "Paused"),
    "met": pgettext_lazy("SLA state", "Met"),
}


@dataclass(frozen=True)
class SlaSummary:
    state: str  # "ok", "at_risk", "breached", "paused", "met"
    due_at: datetime | None
    label: str  # which target is next: "first response", "next response", "resolution"
    block: dict
    outcome: tuple[str, ...] = ()  # resolved/closed tickets: how each target ended

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))


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
    for key, due_key, done in (
        ("first_response", "first_response_due_at", block.get("first_responded_at")),
        ("resolution", "resolution_due_at", resolved),
    ):
        due = block.get(due_key)
        if due is None:
            continue
        done = done or (resolved if key == "first_response" else None)
        if done is None:
            continue
        early = (due - done).total_seconds()
        if early >= 0:
            line = _("%(target)s: met, %(span)s before it was due")
        else:
            line = _("%(target)s: breached by %(span)s")
        lines.append(line % {"target": target_label(key).capitalize(), "span": _span(early)})
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
    key, due = min(pending, key=lambda p: p[1]) if pending else ("", None)
    label = target_label(key) if key else ""
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
        pending.append(("first_response", block["first_response_due_at"]))
    if block.get("next_response_due_at"):
        pending.append(("next_response", block["next_response_due_at"]))
    if not block.get("resolved_at") and block.get("resolution_due_at"):
        pending.append(("resolution", block["resolution_due_at"]))
    return pending


def _flagged_at_risk(state: TicketSLA, pending: list[tuple[str, datetime]]) -> bool:
    return any(getattr(state, f"{key}_at_risk") for key, _due in pending)


def _little_left(ticket: Ticket, due: datetime, now: datetime) -> bool:
    total = (due - ticket.created_at).total_seconds()
    return total > 0 and (due - now).total_seconds() < AT_RISK_SHARE * total


def sla_calendar_zone(ticket: Ticket) -> str:
    """The IANA zone of the calendar the ticket's due times were computed in ("" if none)."""
    calendar = _calendar(ticket)
    return calendar.timezone if calendar else ""


def _calendar(ticket: Ticket):
    state = ticket_sla_state_get(ticket)
    calc = state.calculation if state is not None else None
    if not isinstance(calc, dict) or not isinstance(calc.get("profile"), dict):
        return None
    try:
        # Cached by its configuration: no query, the same calendar the sla app used.
        return calendar_of(
            calc.get("business_hours") or None,
            calc.get("holidays") or (),
            calc.get("recurring_holidays") or (),
        )
    except (TypeError, ValueError, KeyError):
        return None


def sla_explanation(ticket: Ticket) -> list[str]:
    """How the SLA app computed the ticket's due times, as sentences in the calendar's zone:
    "Business hours Mon-Fri 09:00-17:00 Europe/Berlin. Created Friday 16:30, so the 4-hour
    first response is due Monday 11:30." Empty without a profile."""
    state = ticket_sla_state_get(ticket)
    calendar = _calendar(ticket)
    if state is None or calendar is None:
        return []
    calc = state.calculation
    zone = ZoneInfo(calendar.timezone)
    lines = [
        _("SLA profile “%(name)s”; business hours %(hours)s.")
        % {"name": calc["profile"].get("name", ""), "hours": describe(calendar)}
    ]
    for key, label in TARGET_LABELS:
        target = (calc.get("targets") or {}).get(key)
        if isinstance(target, dict):
            lines.append(_target_sentence(ticket, target, label, zone))
    for stop in (state.pauses or [])[-EXPLANATION_LOG_ENTRIES:]:
        if isinstance(stop, dict):
            lines.append(
                _("The clock stopped from %(start)s to %(end)s (%(reason)s).")
                % {
                    "start": _at(stop.get("start"), zone),
                    "end": _at(stop.get("end"), zone) if stop.get("end") else _("now"),
                    "reason": stop.get("reason") or _("paused"),
                }
            )
    for rule in calc.get("escalation_rules") or ():
        lines.append(
            _("Escalation after %(span)s of business time: %(when)s.")
            % {"span": _duration(rule.get("after_minutes")), "when": _at(rule.get("due_at"), zone)}
        )
    for entry in (state.log or [])[-EXPLANATION_LOG_ENTRIES:]:
        detail = profile_reassignment(entry.get("detail", "")) or _plain_detail(
            entry.get("detail", ""), zone
        )
        lines.append(f"{_at(entry.get('at'), zone)}: {detail}")
    return lines


def _target_sentence(ticket: Ticket, target: dict, label, zone: ZoneInfo) -> str:
    start, due = _parse(target.get("start")), _parse(target.get("due_at"))
    created = start is not None and abs((start - ticket.created_at).total_seconds()) < 60
    # Weekday names alone read best ("Friday 16:30 ... Monday 11:30") within a week.
    near = start and due and abs((due - start).total_seconds()) < 6 * 86400
    fmt = "l H:i" if near else "l j F Y, H:i"
    values = {
        "start": _at(start, zone, fmt),
        "span": _duration(target.get("target_minutes")),
        "target": label,
        "due": _at(due, zone, fmt),
    }
    if created:
        text = _("Created %(start)s, so the %(span)s %(target)s is due %(due)s.") % values
    else:
        text = _("The clock started %(start)s, so the %(span)s %(target)s is due %(due)s.") % values
    paused = target.get("paused_business_minutes") or 0
    if paused:
        text += " " + _(
            "The clock was stopped for %(span)s of business time (waiting), which moved it later."
        ) % {"span": _duration(paused)}
    return text


def _parse(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _at(value, zone: ZoneInfo, fmt: str = "D j M Y, H:i") -> str:
    """`value` (an ISO instant) as a local time in `zone`."""
    when = _parse(value)
    return date_format(when.astimezone(zone), fmt) if when else "—"


def _duration(minutes) -> str:
    try:
        minutes = round(float(minutes))
    except (TypeError, ValueError):
        return "—"
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d-hour", "%(n)d-hour", hours) % {"n": hours}
    return ngettext("%(n)d-minute", "%(n)d-minute", minutes) % {"n": minutes}


_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")


def _plain_detail(detail: str, zone: ZoneInfo) -> str:
    """A log line with its ISO instants written as local times."""
    return _ISO_INSTANT.sub(lambda m: _at(m.group(0), zone), str(detail))[:500]
