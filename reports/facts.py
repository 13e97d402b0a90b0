"""Compute the report facts of tickets from their source rows (in batches, no N+1).

A batch loads the tickets, their messages, SLA states, ratings and reopen counts with one
query each, then derives each ticket's fact in Python: business minutes come from the SLA
clock on the ticket's calendar with the SLA pauses taken out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.expressions import RawSQL

from reports.models import TicketFact
from sla.calculation import Stop, calendar_of
from sla.clock import BusinessCalendar, business_seconds_between
from sla.models import SlaProfile, TicketSLA
from tickets.models import Message, MessageType, SatisfactionRating, Status, Ticket, TicketEvent

RESOLVED = (Status.RESOLVED, Status.CLOSED)
TICKET_FIELDS = (
    "id", "created_at", "resolved_at", "first_responded_at", "status", "priority", "channel",
    "category_id", "assignee_id", "tags", "merged_into_id",
)  # fmt: skip


STATE_FIELDS = (
    "ticket_id", "profile_id", "pauses", "first_response_due_at", "first_responded_at",
    "first_response_breached", "resolution_due_at", "resolved_at", "resolution_breached",
)  # fmt: skip
RATING_FIELDS = (
    "ticket_id", "rating", "response_time", "solution", "team", "score", "updated_at",
)  # fmt: skip


class Calendars:
    """The business calendar of each SLA profile, read once per job run."""

    def __init__(self) -> None:
        self._by_profile: dict = {}
        self._default: BusinessCalendar | None = None
        for profile in SlaProfile.objects.only("id", "business_hours", "holidays", "is_default"):
            calendar = calendar_of(profile.business_hours, profile.holidays)
            self._by_profile[profile.pk] = calendar
            if profile.is_default:
                self._default = calendar

    def of(self, profile_id) -> BusinessCalendar | None:
        return self._by_profile.get(profile_id, self._default)


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 60)


def business_minutes(
    calendar: BusinessCalendar | None, start, end, stops: Sequence[Stop] = ()
) -> int | None:
    """Business minutes in [start, end) on `calendar`, without the parts inside `stops`."""
    if start is None or end is None or end < start:
        return None
    if calendar is None:
        return _minutes(start, end)
    seconds = business_seconds_between(calendar, start, end)
    for stop in stops:
        low, high = max(stop.start, start), min(stop.end, end)
        if high > low:
            seconds -= business_seconds_between(calendar, low, high)
    return max(0, seconds) // 60


def _stops(state: dict | None) -> list[Stop]:
    if state is None:
        return []
    stops = []
    for item in state["pauses"] or []:
        try:
            stops.append(Stop.from_json(item))
        except (KeyError, TypeError, ValueError):
            continue
    return stops


def _next_responses(messages: Iterable[dict], first_responded_at) -> list[tuple]:
    """(waiting since, answered at) for each customer wait after the first response."""
    pairs, waiting_since = [], None
    for message in messages:
        if first_responded_at is None or message["created_at"] <= first_responded_at:
            continue
        kind = message["message_type"]
        if kind == MessageType.CUSTOMER_REPLY and waiting_since is None:
            waiting_since = message["created_at"]
        elif (
            kind == MessageType.STAFF_REPLY
            and waiting_since is not None
            and not message["is_auto_response"]
        ):
            pairs.append((waiting_since, message["created_at"]))
            waiting_since = None
    return pairs


def among(ids: Sequence) -> RawSQL:
    """`IN (SELECT unnest(%s::uuid[]))`: one array parameter instead of one per id (building
    and sending thousands of parameters cost more than the queries themselves)."""
    return RawSQL("SELECT unnest(%s::uuid[])", ([str(pk) for pk in ids],))


class _Batch:
    def __init__(self, ticket_ids: Sequence) -> None:
        ticket_ids = among(ticket_ids)
        self.tickets = list(Ticket.objects.filter(pk__in=ticket_ids).values(*TICKET_FIELDS))
        self.messages: dict = defaultdict(list)
        rows = (
            Message.objects.filter(ticket_id__in=ticket_ids)
            .order_by("created_at", "pk")
            .values("ticket_id", "message_type", "created_at", "is_auto_response", "time_spent")
        )
        for row in rows:
            self.messages[row["ticket_id"]].append(row)
        states = TicketSLA.objects.filter(ticket_id__in=ticket_ids).values(*STATE_FIELDS)
        self.states = {state["ticket_id"]: state for state in states}
        ratings = SatisfactionRating.objects.filter(ticket_id__in=ticket_ids).values(*RATING_FIELDS)
        self.ratings = {rating["ticket_id"]: rating for rating in ratings}
        self.reopens = dict(
            TicketEvent.objects.filter(
                ticket_id__in=ticket_ids, field="status", before__in=list(RESOLVED)
            )
            .exclude(after__in=list(RESOLVED))
            .values("ticket_id")
            .annotate(n=Count("pk"))
            .values_list("ticket_id", "n")
            .order_by()
        )


def facts_compute(ticket_ids: Sequence, *, zone: ZoneInfo, calendars: Calendars, now) -> list:
    """The TicketFact of each ticket in `ticket_ids` (unsaved)."""
    batch = _Batch(ticket_ids)
    return [_fact(row, batch, zone=zone, calendars=calendars, now=now) for row in batch.tickets]


def _fact(row: dict, batch: _Batch, *, zone: ZoneInfo, calendars: Calendars, now) -> TicketFact:
    pk = row["id"]
    state = batch.states.get(pk)
    calendar = calendars.of(state["profile_id"] if state else None)
    stops = _stops(state)
    messages = batch.messages.get(pk, [])
    created, first, resolved = row["created_at"], row["first_responded_at"], row["resolved_at"]
    if row["status"] not in RESOLVED:
        resolved = None
    waits = _next_responses(messages, first)
    fact = TicketFact(
        ticket_id=pk,
        created_on=created.astimezone(zone).date(),
        resolved_on=resolved.astimezone(zone).date() if resolved else None,
        status=row["status"],
        priority=row["priority"],
        channel=row["channel"],
        category_id=row["category_id"],
        assignee_id=row["assignee_id"],
        tags=sorted({tag.lower() for tag in row["tags"] or []}),
        is_merged=row["merged_into_id"] is not None,
        first_response_minutes=_minutes(created, first),
        first_response_business_minutes=business_minutes(calendar, created, first, stops),
        next_response_minutes=[_minutes(a, b) for a, b in waits],
        next_response_business_minutes=[business_minutes(calendar, a, b, stops) for a, b in waits],
        resolution_minutes=_minutes(created, resolved),
        resolution_business_minutes=business_minutes(calendar, created, resolved, stops),
        replies=sum(
            1
            for m in messages
            if m["message_type"] == MessageType.STAFF_REPLY and not m["is_auto_response"]
        ),
        reopens=batch.reopens.get(pk, 0),
        time_spent=sum(m["time_spent"] or 0 for m in messages),
        computed_at=now,
    )
    _sla_outcomes(fact, state)
    _rating(fact, batch.ratings.get(pk), zone)
    return fact


def _sla_outcomes(fact: TicketFact, state: dict | None) -> None:
    if state is None:
        return
    fact.first_response_breached = state["first_response_breached"]
    fact.first_response_met = (
        not state["first_response_breached"]
        and state["first_response_due_at"] is not None
        and state["first_responded_at"] is not None
    )
    fact.resolution_breached = state["resolution_breached"]
    fact.resolution_met = (
        not state["resolution_breached"]
        and state["resolution_due_at"] is not None
        and state["resolved_at"] is not None
    )


def _rating(fact: TicketFact, rating: dict | None, zone: ZoneInfo) -> None:
    if rating is None:
        return
    fact.rated_on = rating["updated_at"].astimezone(zone).date()
    fact.rating_response_time = rating["response_time"]
    fact.rating_solution = rating["solution"]
    fact.rating_team = rating["team"]
    score = rating["score"]
    fact.rating_score = score if score is not None else float(rating["rating"])
