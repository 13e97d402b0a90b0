"""Each ticket's SLA clock: start, stops, responses, resolution, re-derivation.

These run as in-transaction subscribers of the ticket events (see `sla.subscribers`), inside
the transaction that changed the ticket and after the ticket service locked the ticket row;
so they take the SLA row's lock second (the fixed order everywhere: ticket, then its SLA).

Decisions:
* Pauses: WAITING_ON_CUSTOMER and ON_HOLD stop every running target; on resume each due
  time moves by the business time of the stop (in the profile's calendar), provided the stop
  began before that target ran out. A target met or breached keeps its recorded due time.
* Resolution and reopen: RESOLVED stops all targets and records the outcome (met, or
  breached if resolved after the due time). Reopening continues the same clocks: the time the
  ticket spent resolved counts as a stop, so the resolution due time moves by that business
  time; a recorded breach stays recorded. CLOSED freezes the state for good.
* First response is the ticket's `first_responded_at` (the first non-automatic staff reply).
  Next response starts at the oldest unanswered customer reply after the first response, and
  is met by the next staff reply; each new cycle starts unflagged.
* Breaches the monitor has not seen yet are recorded when the target is met or stopped, so
  every breach is flagged and announced (`sla.breach`) exactly once.

They open no savepoint of their own (`atomic(savepoint=False)`): they only run inside the
ticket service's transaction, where an error aborts the whole change anyway.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import threading
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from panel1.actors import Actor
from panel1.db_reads import CompiledRead
from panel1.db_writes import insert_one
from panel1.events import names
from sla.calculation import (
    Deadline,
    Stop,
    calendar_of,
    deadline,
    explain_deadline,
    risk_seconds,
    stopped_seconds,
)
from sla.clock import describe
from sla.models import SlaProfile, Target, TicketSLA
from sla.profile_cache import cached_profiles
from tickets.models import PAUSED_STATUSES, Status, Ticket
from tickets.services.audit import audit, emit

LOG_LIMIT = 200
SYSTEM = Actor.system()
DUE_FIELDS = ("first_response_due_at", "next_response_due_at", "resolution_due_at")
# Everything `refresh_state` may change; the bulk paths (profile edits) save exactly these.
DERIVED_FIELDS = [
    "profile",
    "profile_name",
    "first_response_due_at",
    "first_response_risk_at",
    "first_response_at_risk",
    "next_response_started_at",
    "next_response_due_at",
    "next_response_risk_at",
    "next_response_at_risk",
    "resolution_due_at",
    "resolution_risk_at",
    "resolution_at_risk",
    "paused_business_seconds",
    "active",
    "next_escalation_at",
    "calculation",
    "log",
]


def save_derived(states: list[TicketSLA]) -> None:
    """Write the derived fields of many states in one pipelined statement batch (Django's
    bulk_update builds CASE expressions that cost ~10 ms per row at this width)."""
    if not states:
        return
    fields = [TicketSLA._meta.get_field(name) for name in DERIVED_FIELDS]
    assignments = ", ".join(f'"{field.column}" = %s' for field in fields)
    sql = f'UPDATE "{TicketSLA._meta.db_table}" SET {assignments} WHERE "ticket_id" = %s'
    rows = [
        [field.get_db_prep_save(getattr(state, field.attname), connection) for field in fields]
        + [state.pk]
        for state in states
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def calendar_for(profile: SlaProfile):
    return calendar_of(profile.business_hours, profile.holidays, profile.recurring_holidays)


# --- matching ----------------------------------------------------------------------------


def sla_profile_match(
    *, priority: str, category_id, exclude: SlaProfile | None = None
) -> tuple[SlaProfile | None, str]:
    """Return the profile for a ticket with this priority and category, and why it applies.

    A profile applies when each criterion it names matches (priorities, categories). The most
    specific wins: both criteria beat one, one beats none; among equals the narrower one (fewer
    listed values), then the default, then the name. The default profile catches the rest; a
    non-default profile without criteria applies to nothing.
    """
    best, best_key, best_why = None, None, ""
    for profile, category_ids in cached_profiles():
        if exclude is not None and profile.pk == exclude.pk:
            continue
        matches = (not profile.priorities or priority in profile.priorities) and (
            not category_ids or category_id in category_ids
        )
        score = bool(profile.priorities) + bool(category_ids)
        if not matches or score == 0:
            if not profile.is_default:
                continue
            score, why = -1, "the default profile"
        else:
            named = [f"priority {priority}"] if profile.priorities else []
            named += ["its category"] if category_ids else []
            why = "it names " + " and ".join(named)
        key = (score, -(len(profile.priorities) + len(category_ids)), profile.is_default)
        if best_key is None or key > best_key or (key == best_key and profile.name < best.name):
            best, best_key, best_why = profile, key, why
    return best, best_why


# --- derivation ----------------------------------------------------------------------------


def _stops(state: TicketSLA) -> list[Stop]:
    return [Stop.from_json(item) for item in state.pauses]


def _running(state: TicketSLA, target: str) -> bool:
    if target == Target.FIRST_RESPONSE:
        return state.first_responded_at is None
    if target == Target.NEXT_RESPONSE:
        return state.next_response_started_at is not None
    return state.resolved_at is None


def _target_specs(state: TicketSLA, profile: SlaProfile):
    yield Target.FIRST_RESPONSE, profile.first_response_time, state.started_at
    yield Target.NEXT_RESPONSE, profile.next_response_time, state.next_response_started_at
    yield Target.RESOLUTION, profile.resolution_time, state.started_at


def refresh_state(state: TicketSLA, profile: SlaProfile | None, *, now: dt.datetime) -> None:
    """Re-derive the due and at-risk instants of the running, unbreached targets.

    Met and breached targets keep their recorded due times; at-risk flags are lifted only
    for running targets whose new at-risk instant lies ahead (e.g. a lower priority).
    """
    state.profile = profile
    if profile is not None:
        state.profile_name = profile.name
    state.active = not state.is_closed and state.paused_since is None
    if state.is_closed:
        state.next_escalation_at = None
        return
    if profile is None:
        _clear_running(state)
        state.calculation = {"profile": None, "note": "No SLA profile applies to this ticket."}
        return
    if profile.next_response_time is None:
        state.next_response_started_at = None
    calendar = calendar_for(profile)
    stops = _stops(state)
    state.paused_business_seconds = stopped_seconds(calendar, stops)
    ratio = settings.SLA_AT_RISK_RATIO
    previous = (state.calculation or {}).get("targets", {})
    targets: dict[str, dict | None] = {}
    for target, minutes, start in _target_specs(state, profile):
        if start is None or minutes is None:
            _set(state, target, due=None, risk=None)
            targets[target] = None
            continue
        if not _running(state, target) or getattr(state, f"{target}_breached"):
            targets[target] = previous.get(target)
            continue
        line = deadline(calendar, start=start, seconds=minutes * 60, stops=stops)
        seconds = risk_seconds(minutes, ratio)
        risk = (
            None
            if seconds is None
            else deadline(calendar, start=start, seconds=seconds, stops=stops).at
        )
        _set(state, target, due=line.at, risk=risk)
        if state.active and getattr(state, f"{target}_at_risk") and (risk is None or risk > now):
            setattr(state, f"{target}_at_risk", False)
        targets[target] = {
            **explain_deadline(calendar, line, minutes=minutes),
            "at_risk_at": risk.isoformat() if risk else None,
        }
    schedule = _escalation_schedule(state, profile, calendar, stops)
    pending = [at for key, at, _ in schedule if key not in state.escalations_applied]
    state.next_escalation_at = min(pending) if pending and state.resolved_at is None else None
    state.calculation = {
        "computed_at": now.isoformat(),
        "profile": {"id": str(profile.pk), "name": profile.name},
        "calendar": describe(calendar),
        "business_hours": profile.business_hours or {},
        "holidays": [str(day) for day in profile.holidays],
        "recurring_holidays": list(profile.recurring_holidays),
        "at_risk_ratio": ratio,
        "targets": targets,
        "escalation_rules": [
            {"rule": key, "after_minutes": minutes, "due_at": at.isoformat()}
            for key, at, minutes in schedule
        ],
    }


def _set(state: TicketSLA, target: str, *, due, risk) -> None:
    setattr(state, f"{target}_due_at", due)
    setattr(state, f"{target}_risk_at", risk)


def _clear_running(state: TicketSLA) -> None:
    for target in Target.values:
        if _running(state, target) and not getattr(state, f"{target}_breached"):
            _set(state, target, due=None, risk=None)
    state.next_response_started_at = None
    state.next_escalation_at = None


def escalation_key(profile: SlaProfile, index: int) -> str:
    """Rules are remembered per profile and position, so a ticket that moves between
    profiles and back never gets the same rule twice."""
    return f"{profile.pk}:{index}"


def _escalation_schedule(state, profile, calendar, stops) -> list[tuple[str, dt.datetime, int]]:
    """(key, instant, after_minutes) per rule: business minutes on the resolution clock."""
    schedule = []
    for index, rule in enumerate(profile.escalation_rules or []):
        minutes = rule["after_minutes"]
        line: Deadline = deadline(
            calendar, start=state.started_at, seconds=minutes * 60, stops=stops
        )
        schedule.append((escalation_key(profile, index), line.at, minutes))
    return schedule


def escalations_due(state: TicketSLA, *, now: dt.datetime) -> list[tuple[str, int, dict]]:
    """The profile's rules that are due and not yet applied, earliest first: (key, index, rule)."""
    profile = state.profile
    if profile is None or not state.active or state.resolved_at is not None:
        return []
    calendar = calendar_for(profile)
    due = []
    for (key, at, _), (index, rule) in zip(
        _escalation_schedule(state, profile, calendar, _stops(state)),
        enumerate(profile.escalation_rules or []),
        strict=True,
    ):
        if at <= now and key not in state.escalations_applied:
            due.append((at, key, index, rule))
    return [(key, index, rule) for _, key, index, rule in sorted(due, key=lambda d: d[0])]


# --- outcomes, log, audit ------------------------------------------------------------------


def log_entry(state: TicketSLA, now: dt.datetime, event: str, detail: str) -> None:
    state.log = [*state.log, {"at": now.isoformat(), "event": event, "detail": detail}][-LOG_LIMIT:]


def due_times(state: TicketSLA) -> dict[str, str | None]:
    return {
        name: value.isoformat() if (value := getattr(state, name)) else None for name in DUE_FIELDS
    }


def audit_due_times(ticket: Ticket, state: TicketSLA, before: dict, reason: str) -> None:
    after = due_times(state)
    if after != before:
        audit(
            ticket, SYSTEM, "sla.due_times", field="sla", before=before, after=after, reason=reason
        )


def record_breach(ticket: Ticket, state: TicketSLA, target: str, *, now: dt.datetime) -> None:
    """Announce a breach that was just flagged (once: callers flag it with a guard)."""
    due = getattr(state, f"{target}_due_at")
    detail = f"{Target(target).label} was due {due.isoformat()}."
    log_entry(state, now, "breach", detail)
    audit(ticket, SYSTEM, names.SLA_BREACH, field=target, after=due.isoformat(), reason=detail)
    emit(names.SLA_BREACH, ticket, SYSTEM, target=target, due_at=due.isoformat())


def _judge(ticket: Ticket, state: TicketSLA, target: str, *, at: dt.datetime) -> None:
    """Flag `target` breached if it was met (or stopped) at `at`, after its due time."""
    due = getattr(state, f"{target}_due_at")
    if due is None or getattr(state, f"{target}_breached") or at <= due:
        return
    setattr(state, f"{target}_breached", True)
    setattr(state, f"{target}_at_risk", True)
    if target == Target.NEXT_RESPONSE:
        state.next_response_breach_count += 1
    record_breach(ticket, state, target, now=at)


# --- the services --------------------------------------------------------------------------


_held = threading.local()


@contextlib.contextmanager
def states_held(states: dict):
    """Within the block the services below take the states of these tickets from `states`
    (ticket pk -> TicketSLA with its profile) instead of locking and reading each row again:
    for a batch that locked them in its transaction, keeps them current and drops them all
    if it fails (the SLA monitor's escalations). They change in place."""
    previous = _held.__dict__.get("states")
    _held.states = states
    try:
        yield
    finally:
        _held.states = previous


def _locked_state(ticket: Ticket, now: dt.datetime) -> TicketSLA:
    held = _held.__dict__.get("states")
    if held is not None and ticket.pk in held:
        return held[ticket.pk]
    state = _LOCKED_STATE.first(pk=ticket.pk)
    return state if state is not None else ticket_sla_start(ticket=ticket, now=now)


def _locked_state_read(pk):
    states = TicketSLA.objects.select_for_update(of=("self",)).select_related("profile")
    states = states.filter(pk=pk)
    return (states if states.ordered else states.order_by("pk"))[:1]  # as .first() reads


# Every customer reply and status change reads it: compiled once per connection.
_LOCKED_STATE = CompiledRead(_locked_state_read, pk=uuid.UUID)


@transaction.atomic(savepoint=False)
def ticket_sla_start(
    *, ticket: Ticket, now: dt.datetime | None = None, new_ticket: bool = False
) -> TicketSLA:
    """Start the ticket's SLA clock: choose the profile and set the due times.

    Idempotent: a ticket that has a state keeps it. Runs in the ticket's creation transaction
    (`new_ticket`: the ticket was created in it, so it has no state to look for).
    """
    existing = None if new_ticket else TicketSLA.objects.filter(pk=ticket.pk).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    state = TicketSLA(ticket_id=ticket.pk, started_at=ticket.created_at)
    # Only the forward cache: `ticket` may be the creating service's instance, returned to
    # its caller, whose `ticket.sla_state` must read the row as it is then, not this object.
    TicketSLA.ticket.field.set_cached_value(state, ticket)
    profile, why = sla_profile_match(priority=ticket.priority, category_id=ticket.category_id)
    before = due_times(state)
    refresh_state(state, profile, now=now)
    detail = profile_sentence(profile, why)
    log_entry(state, now, "start", detail)
    insert_one(state)
    audit_due_times(ticket, state, before, f"SLA clock started. {detail}")
    return state


def profile_sentence(profile: SlaProfile | None, why: str) -> str:
    if profile is None:
        return "No SLA profile applies (there is no default profile)."
    hours = describe(calendar_for(profile))
    targets = f"first response {profile.first_response_time}"
    if profile.next_response_time is not None:
        targets += f", next response {profile.next_response_time}"
    targets += f", resolution {profile.resolution_time} business minutes"
    return f"Profile {profile.name!r} applies because {why} ({hours}; {targets})."


@transaction.atomic(savepoint=False)
def ticket_sla_status_change(
    *, ticket: Ticket, before: str, after: str, now: dt.datetime | None = None
) -> TicketSLA:
    """Stop, resume, resolve or close the ticket's SLA clock for a status change."""
    now = now or timezone.now()
    state = _locked_state(ticket, now)
    if state.is_closed:
        return state
    dues = due_times(state)
    stopped_at = state.paused_since
    if after in (Status.RESOLVED, Status.CLOSED) and state.resolved_at is None:
        # The clocks stood still since `stopped_at` if the ticket was paused when resolved.
        _stop_cycle(ticket, state, at=stopped_at or now)
        _judge(ticket, state, Target.RESOLUTION, at=stopped_at or now)
        state.resolved_at = ticket.resolved_at or now
    if stopped_at is not None and state.paused_reason != after:
        _end_stop(state, now)
    if after == Status.CLOSED:
        state.is_closed = True
    elif after == Status.RESOLVED:
        _begin_stop(state, now, reason=Status.RESOLVED)
    elif after in PAUSED_STATUSES:
        if state.paused_since is None:
            _begin_stop(state, now, reason=after)
    elif state.resolved_at is not None:
        state.resolved_at = None  # reopened: the resolution clock continues
    refresh_state(state, state.profile, now=now)
    detail = _status_sentence(before, after, state, stopped_at, now)
    log_entry(state, now, "status", detail)
    state.save()
    audit_due_times(ticket, state, dues, detail)
    return state


def _begin_stop(state: TicketSLA, now: dt.datetime, *, reason: str) -> None:
    state.paused_since = now
    state.paused_reason = reason
    state.paused = reason in PAUSED_STATUSES


def _end_stop(state: TicketSLA, now: dt.datetime) -> None:
    stop = Stop(start=state.paused_since, end=now, reason=state.paused_reason)
    state.pauses = [*state.pauses, stop.as_json()]
    state.paused_since = None
    state.paused_reason = ""
    state.paused = False


def _stop_cycle(ticket: Ticket, state: TicketSLA, *, at: dt.datetime) -> None:
    """End a pending next-response cycle (resolving answers the customer too)."""
    if state.next_response_started_at is None:
        return
    _judge(ticket, state, Target.NEXT_RESPONSE, at=at)
    state.next_response_started_at = None
    state.next_response_due_at = None
    state.next_response_risk_at = None


def _status_sentence(before, after, state, stopped_at, now) -> str:
    text = f"Status {before} -> {after}."
    if after == Status.CLOSED:
        return text + " SLA outcomes are final."
    if after == Status.RESOLVED:
        return text + " Clocks stopped; resolution recorded."
    if after in PAUSED_STATUSES:
        return text + " Clocks paused."
    if stopped_at is not None and state.pauses:
        last = Stop.from_json(state.pauses[-1])
        minutes = 0
        if state.profile is not None:
            minutes = stopped_seconds(calendar_for(state.profile), [last]) / 60
        return text + (
            f" Clocks resumed after {last.reason} since {last.start.isoformat()}: running"
            f" targets move by {minutes:g} business minutes."
        )
    return text


@transaction.atomic(savepoint=False)
def ticket_sla_staff_reply(
    *, ticket: Ticket, replied_at: dt.datetime, now: dt.datetime | None = None
) -> TicketSLA:
    """Stamp the first response (from the ticket) and meet a pending next response."""
    now = now or timezone.now()
    state = _locked_state(ticket, now)
    if state.is_closed:
        return state
    before = _stored_values(state)
    at = min(replied_at, state.paused_since) if state.paused_since else replied_at
    if state.first_responded_at is None and ticket.first_responded_at is not None:
        state.first_responded_at = ticket.first_responded_at
        _judge(ticket, state, Target.FIRST_RESPONSE, at=at)
        log_entry(state, now, "first_response", f"First response at {replied_at.isoformat()}.")
    if state.next_response_started_at is not None:
        _stop_cycle(ticket, state, at=at)
        state.next_response_at_risk = False
        log_entry(state, now, "next_response", f"Next response at {replied_at.isoformat()}.")
    refresh_state(state, state.profile, now=now)
    # Most staff replies (the ticket answered already, no customer waiting) change nothing.
    if _stored_values(state) != before:
        state.save()
    return state


def _stored_values(state: TicketSLA) -> dict:
    """What saving `state` would write, but the `updated_at` and `computed_at` stamps.

    Shallow copies: these services replace the nested values of the JSON and array fields
    (a new log, a new calculation) rather than change them in place; a deep copy of a long
    log would cost more than the UPDATE it saves."""
    values = {
        field.attname: copy.copy(getattr(state, field.attname))
        for field in TicketSLA._meta.concrete_fields
        if field.attname != "updated_at"
    }
    values["calculation"] = {
        key: value for key, value in (state.calculation or {}).items() if key != "computed_at"
    }
    return values


@transaction.atomic(savepoint=False)
def ticket_sla_customer_reply(
    *, ticket: Ticket, replied_at: dt.datetime, now: dt.datetime | None = None
) -> TicketSLA:
    """Start a next-response cycle at the oldest unanswered customer reply after the first
    response (when the profile has a next-response target)."""
    now = now or timezone.now()
    state = _locked_state(ticket, now)
    profile = state.profile
    if (
        state.is_closed
        or profile is None
        or profile.next_response_time is None
        or state.first_responded_at is None
        or state.next_response_started_at is not None
        or state.resolved_at is not None
    ):
        return state
    dues = due_times(state)
    state.next_response_started_at = replied_at
    state.next_response_breached = False
    state.next_response_at_risk = False
    refresh_state(state, profile, now=now)
    detail = (
        f"Customer replied at {replied_at.isoformat()}: next response due within "
        f"{profile.next_response_time} business minutes."
    )
    log_entry(state, now, "customer_reply", detail)
    state.save()
    audit_due_times(ticket, state, dues, detail)
    return state


@transaction.atomic(savepoint=False)
def ticket_sla_rematch(*, ticket: Ticket, reason: str, now: dt.datetime | None = None) -> TicketSLA:
    """Choose the profile again (priority or category changed) and re-derive the running
    targets if another profile applies now."""
    now = now or timezone.now()
    state = _locked_state(ticket, now)
    if state.is_closed:
        return state
    profile, why = sla_profile_match(priority=ticket.priority, category_id=ticket.category_id)
    if (profile.pk if profile else None) == state.profile_id:
        return state
    dues = due_times(state)
    refresh_state(state, profile, now=now)
    detail = f"{reason}: {profile_sentence(profile, why)}"
    log_entry(state, now, "rematch", detail)
    state.save()
    audit_due_times(ticket, state, dues, detail)
    return state


def ticket_sla_rederive(
    state: TicketSLA, *, profile: SlaProfile | None, now: dt.datetime, reason: str
) -> dict | None:
    """Re-derive a locked state in memory (the caller saves); returns the due times before,
    or None when nothing changed. Used for profile edits, in bulk."""
    if state.is_closed:
        return None
    dues = due_times(state)
    refresh_state(state, profile, now=now)
    log_entry(state, now, "rederive", reason)
    return dues
