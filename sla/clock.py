"""The SLA business-time clock: pure functions over a tenant's business calendar.

No Django here on purpose: SLA targets, escalations and reports all call these functions, and
they must be testable (and provable by brute force) without a database.

Time model
----------
Business hours are local wall-clock readings in the calendar's time zone. Every local date D
contributes at most one real-time interval ``[open(D), close(D))``: ``open`` is the first instant
at which the local clock reaches D's start reading, ``close`` the first instant at which it reaches
D's end reading. Two consequences, chosen deliberately:

* **Fall back (ambiguous readings):** a boundary inside the repeated hour resolves to its *first*
  occurrence (``fold=0``). Equivalently, the clock is treated as paused while it repeats an hour,
  so no reading is counted twice, and a day whose hours span the repeat is an hour longer in
  real time (24x7: a 25-hour day).
* **Spring forward (non-existent readings):** a boundary inside the gap resolves to the instant
  of the jump, i.e. when the clock first shows a later reading. (zoneinfo's own ``fold=0`` would
  push 02:30 to 03:30; we open at 03:00, when the clock passes 02:30.) Hours spanning the gap are
  an hour shorter (24x7: a 23-hour day); hours lying wholly inside the gap are empty that day.

Because both boundaries use the same monotone rule, the intervals of consecutive days never
overlap, and a 24x7 calendar's days join up exactly.

Intervals are half-open: at 17:00 on a 09:00-17:00 day the desk is closed. An end of 24:00
(``WorkingHours(end=MIDNIGHT)``) runs to the next local midnight.

Inputs and outputs
------------------
Inputs must be timezone-aware (any zone); naive datetimes raise ValueError. Results are aware
datetimes in UTC. Adding zero business time returns ``start`` when it is business time and the
next opening otherwise: a ticket filed at night with a zero target is due when the desk opens,
never while it is closed. Durations are exact; the *_between functions floor them to whole
seconds or minutes.

Cost
----
Nothing walks minute by minute. Long spans skip whole weeks arithmetically (business time per
nominal week) and then correct for the few dates whose real business time differs from nominal:
holidays and dates next to a UTC-offset transition. A year-long span therefore costs about what a
week costs.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from sla.business_hours import (
    DAY,
    MIDNIGHT,
    WEEKDAYS,
    CalendarError,
    FrozenHours,
    WorkingHours,
    checked_holidays,
    checked_hours,
    format_time,
    holiday_errors,
    hours_from_config,
    load_zone,
    parse_holiday,
    summarize_errors,
    unknown_zone_message,
    validate_business_hours,
)

__all__ = [
    "MIDNIGHT",
    "WEEKDAYS",
    "BusinessCalendar",
    "CalendarError",
    "WorkingHours",
    "add_business_minutes",
    "add_business_seconds",
    "business_minutes_between",
    "business_seconds_between",
    "describe",
    "is_business_time",
    "next_business_start",
    "validate_business_hours",
]

UTC = dt.UTC

_WEEKDAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_DAY = DAY
_WEEK = dt.timedelta(days=7)
_SECOND = dt.timedelta(seconds=1)
_MICROSECOND = dt.timedelta(microseconds=1)
_ZERO = dt.timedelta(0)

# A calendar may legitimately be closed for a long stretch (a listed shutdown), but one closed
# for longer than this is misconfigured; raising beats searching forever.
_MAX_IDLE_DAYS = 3 * 366

# Offsets are probed every 6 hours when finding transitions. A change could hide between two
# probes only if undone within 6 hours; the closest such pair in tzdata is ~4 days apart
# (Africa/Freetown, 1939; checked against every zone's transition table).
_OFFSET_PROBE_STEP = dt.timedelta(hours=6)

_SPAN_MEMO_LIMIT = 20_000


@dataclass(frozen=True, eq=False)
class _Plan:
    """What the clock needs from a calendar, computed once per calendar."""

    zone: ZoneInfo
    day_hours: tuple[tuple[dt.timedelta, dt.timedelta] | None, ...]  # per weekday, from midnight
    nominal: tuple[dt.timedelta, ...]  # per weekday: business time on a day without DST change
    week: dt.timedelta
    holidays: tuple[dt.date, ...]  # sorted, for range look-ups by bisection
    holiday_set: frozenset[dt.date]
    # Memos: a calendar object is immutable, so what its days look like never changes.
    spans: dict[dt.date, tuple[dt.datetime, dt.datetime] | None] = field(default_factory=dict)
    deviations_by_year: dict[int, tuple[tuple, tuple]] = field(default_factory=dict)


@dataclass(frozen=True)
class BusinessCalendar:
    """A tenant's business time: weekly local hours plus holidays, in one IANA time zone.

    ``hours`` maps weekday (0=Monday .. 6=Sunday) to WorkingHours; a missing weekday is closed,
    and ``None`` means around the clock. Holidays are whole local dates without business time,
    also on 24x7 calendars.
    """

    timezone: str
    hours: Mapping[int, WorkingHours] | None = None
    holidays: frozenset[dt.date] = frozenset()
    _plan: _Plan = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        zone = load_zone(self.timezone)
        if zone is None:
            raise CalendarError(
                f"timezone: unknown time zone {self.timezone!r}.",
                errors={"timezone": [unknown_zone_message(self.timezone)]},
            )
        if self.hours is not None:
            object.__setattr__(self, "hours", FrozenHours(checked_hours(self.hours)))
        object.__setattr__(self, "holidays", frozenset(checked_holidays(self.holidays)))
        object.__setattr__(self, "_plan", _build_plan(zone, self.hours, self.holidays))

    @classmethod
    def from_config(
        cls,
        business_hours: Mapping | None,
        holidays: Iterable[str | dt.date] = (),
    ) -> BusinessCalendar:
        """Build a calendar from the API shape, raising CalendarError naming every bad field.

        ``business_hours`` looks like ``{"timezone": "America/New_York", "monday": {"start":
        "09:00", "end": "17:00", "enabled": true}, ...}``. ``None``, ``{}`` or no weekday keys
        mean 24x7 in that time zone (default UTC); disabled or missing weekdays are closed.
        Holidays are ISO dates; any listed under a "holidays" key are added to ``holidays``.
        """
        errors = validate_business_hours(business_hours)
        config = dict(business_hours or {}) if not errors else {}
        listed = list(holidays)
        bad_holidays = holiday_errors(listed)
        if bad_holidays:
            errors.setdefault("holidays", []).extend(bad_holidays)
        if errors:
            raise CalendarError(summarize_errors(errors), errors=errors)
        dates = {parse_holiday(item) for item in [*listed, *config.get("holidays", [])]}
        return cls(
            timezone=config.get("timezone", "UTC"),
            hours=hours_from_config(config),
            holidays=frozenset(dates),
        )


def _build_plan(
    zone: ZoneInfo, hours: Mapping[int, WorkingHours] | None, holidays: frozenset[dt.date]
) -> _Plan:
    if hours is None:
        day_hours = ((_ZERO, _DAY),) * 7
    else:
        day_hours = tuple(
            (hours[wd].start_offset, hours[wd].end_offset) if wd in hours else None
            for wd in range(7)
        )
    nominal = tuple(span[1] - span[0] if span else _ZERO for span in day_hours)
    return _Plan(
        zone=zone,
        day_hours=day_hours,
        nominal=nominal,
        week=sum(nominal, _ZERO),
        holidays=tuple(sorted(holidays)),
        holiday_set=holidays,
    )


# --- the clock ------------------------------------------------------------------------------


def add_business_seconds(
    calendar: BusinessCalendar, start: dt.datetime, seconds: int
) -> dt.datetime:
    """Return the UTC instant ``seconds`` of business time after ``start``.

    Zero seconds gives ``start`` when it is business time, else the next opening: a ticket filed
    at night with a zero target is due when the desk opens. Raises CalendarError when the
    calendar offers no business time (no open weekday, or nothing within three years).
    """
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    moment = _as_utc(start, name="start")
    plan = calendar._plan
    _require_open_weekday(plan)
    return _walk_forward(plan, moment, dt.timedelta(seconds=seconds))


def add_business_minutes(
    calendar: BusinessCalendar, start: dt.datetime, minutes: int
) -> dt.datetime:
    """Return the UTC instant ``minutes`` of business time after ``start`` (see seconds)."""
    return add_business_seconds(calendar, start, minutes * 60)


def next_business_start(calendar: BusinessCalendar, at: dt.datetime) -> dt.datetime:
    """Return ``at`` (in UTC) if it is business time, else the next opening instant."""
    return add_business_seconds(calendar, at, 0)


def is_business_time(calendar: BusinessCalendar, at: dt.datetime) -> bool:
    """Tell whether the instant ``at`` falls inside the calendar's business hours."""
    moment = _as_utc(at, name="at")
    plan = calendar._plan
    today = _local_date(plan, moment)
    # Days before today closed before `moment`; tomorrow can only contain it after a fall-back
    # at midnight took the clock back into today.
    for day in (today, today + _DAY):
        span = _business_span(plan, day)
        if span is not None and span[0] <= moment < span[1]:
            return True
    return False


def business_seconds_between(
    calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime
) -> int:
    """Return whole seconds of business time in ``[start, end)``; 0 when end <= start."""
    low, high = _as_utc(start, name="start"), _as_utc(end, name="end")
    if high <= low:
        return 0
    return _business_time_between(calendar._plan, low, high) // _SECOND


def business_minutes_between(
    calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime
) -> int:
    """Return whole minutes of business time in ``[start, end)`` (seconds floored to minutes)."""
    return business_seconds_between(calendar, start, end) // 60


def describe(calendar: BusinessCalendar) -> str:
    """Return one human line such as "Mon-Fri 09:00-17:00 Europe/Berlin, 2 holidays"."""
    if calendar.hours is None:
        schedule = "24x7"
    elif not calendar.hours:
        schedule = "Closed every day"
    else:
        schedule = ", ".join(_describe_runs(calendar.hours))
    text = f"{schedule} {calendar.timezone}"
    count = len(calendar.holidays)
    if count:
        text += f", {count} holiday" + ("" if count == 1 else "s")
    return text


def _describe_runs(hours: Mapping[int, WorkingHours]) -> Iterator[str]:
    """Yield "Mon-Fri 09:00-17:00"-style runs of consecutive weekdays with equal hours."""
    weekday = 0
    while weekday < 7:
        if weekday not in hours:
            weekday += 1
            continue
        last = weekday
        while last + 1 in hours and hours[last + 1] == hours[weekday]:
            last += 1
        days = _WEEKDAY_ABBREVIATIONS[weekday]
        if last > weekday:
            days += "-" + _WEEKDAY_ABBREVIATIONS[last]
        day = hours[weekday]
        end = "24:00" if day.end == MIDNIGHT else format_time(day.end)
        yield f"{days} {format_time(day.start)}-{end}"
        weekday = last + 1


# --- walking and skipping -------------------------------------------------------------------


def _walk_forward(plan: _Plan, moment: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
    """Consume ``remaining`` business time from ``moment`` on, day by day or week by week."""
    first_day = day = _local_date(plan, moment)
    idle_days = 0
    while True:
        # From the day after tomorrow on, every day's hours lie wholly after `moment`, which is
        # what skipping whole weeks assumes.
        if remaining > plan.week and day - first_day >= 2 * _DAY:
            weeks, covered = _whole_weeks_within(plan, day=day, budget=remaining)
            if weeks:
                day += weeks * _WEEK
                remaining -= covered
                idle_days = 0 if covered else idle_days + 7 * weeks
                _require_progress(idle_days)
                continue
        begin, available = _available_from(plan, day=day, moment=moment)
        if available and remaining <= available:
            return begin + remaining
        if available:
            remaining -= available
            idle_days = 0
        else:
            idle_days += 1
            _require_progress(idle_days)
        day += _DAY


def _available_from(
    plan: _Plan, *, day: dt.date, moment: dt.datetime
) -> tuple[dt.datetime, dt.timedelta]:
    """Return where the day's business time resumes at or after ``moment``, and how much is left.

    A closed day, or one whose hours are over (or empty, swallowed by a DST gap), has none left;
    the returned instant is then meaningless, and a zero target must not stop there.
    """
    span = _business_span(plan, day)
    if span is None or span[1] <= moment or span[1] <= span[0]:
        return moment, _ZERO
    begin = max(span[0], moment)
    return begin, span[1] - begin


def _whole_weeks_within(
    plan: _Plan, *, day: dt.date, budget: dt.timedelta
) -> tuple[int, dt.timedelta]:
    """Return (weeks, business time) for the most whole weeks from ``day`` worth < ``budget``.

    Strictly less, so the answer always lies after the skipped range and the walk finds it.
    Holidays make weeks shorter (the caller simply skips again); fall-back days make them
    longer, so an estimate may overshoot and is then reduced.
    """
    weeks = (budget - _MICROSECOND) // plan.week
    retried = False
    while weeks > 0:
        covered = _business_time_of_days(plan, first=day, stop=day + weeks * _WEEK)
        if covered < budget:
            return weeks, covered
        # One week less fixes the usual overshoot (one DST hour); halving bounds odd cases.
        weeks = weeks // 2 if retried else weeks - 1
        retried = True
    return 0, _ZERO


def _business_time_between(plan: _Plan, low: dt.datetime, high: dt.datetime) -> dt.timedelta:
    first, last = _local_date(plan, low), _local_date(plan, high)
    # Only the first two and the last two days can be cut by `low`/`high` (a fall-back at
    # midnight lets an instant belong to the next day's hours); the days between count whole.
    if last - first < 4 * _DAY:
        edges = _days(first, last + _DAY)
        middle = _ZERO
    else:
        edges = [first, first + _DAY, last, last + _DAY]
        middle = _business_time_of_days(plan, first=first + 2 * _DAY, stop=last)
    return middle + sum((_overlap(plan, day, low, high) for day in edges), _ZERO)


def _overlap(plan: _Plan, day: dt.date, low: dt.datetime, high: dt.datetime) -> dt.timedelta:
    span = _business_span(plan, day)
    if span is None:
        return _ZERO
    return max(min(span[1], high) - max(span[0], low), _ZERO)


def _business_time_of_days(plan: _Plan, *, first: dt.date, stop: dt.date) -> dt.timedelta:
    """Return the business time of the whole local days ``first`` .. ``stop`` (exclusive)."""
    weeks, rest = divmod((stop - first).days, 7)
    nominal = weeks * plan.week
    for offset in range(rest):
        nominal += plan.nominal[(first.weekday() + offset) % 7]
    return nominal + _deviation_between(plan, first=first, stop=stop)


def _deviation_between(plan: _Plan, *, first: dt.date, stop: dt.date) -> dt.timedelta:
    """Return how far the days ``first`` .. ``stop`` (exclusive) differ from nominal in total."""
    total = _ZERO
    for year in range(first.year, (stop - _DAY).year + 1):
        days, running = _deviations_of_year(plan, year)
        total += running[bisect_left(days, stop)] - running[bisect_left(days, first)]
    return total


def _deviations_of_year(
    plan: _Plan, year: int
) -> tuple[tuple[dt.date, ...], tuple[dt.timedelta, ...]]:
    """Return the year's days that differ from nominal, with running totals (one longer).

    Running totals make any date range within the year two bisections; memoized per calendar
    because holidays and DST days change only from year to year.
    """
    memo = plan.deviations_by_year
    if year not in memo:
        days, running = [], [_ZERO]
        for day in sorted(_irregular_days(plan, year=year)):
            deviation = _deviation(plan, day)
            if deviation:
                days.append(day)
                running.append(running[-1] + deviation)
        memo[year] = (tuple(days), tuple(running))
    return memo[year]


def _deviation(plan: _Plan, day: dt.date) -> dt.timedelta:
    """Return how much the day's real business time differs from its weekday's nominal."""
    span = _business_span(plan, day)
    actual = span[1] - span[0] if span else _ZERO
    return actual - plan.nominal[day.weekday()]


def _irregular_days(plan: _Plan, *, year: int) -> set[dt.date]:
    """Return the local dates in ``year`` that may deviate from nominal: holidays and DST days.

    A superset is harmless (a regular day deviates by zero); missing one is not, so DST days
    come with their neighbours.
    """
    first, stop = dt.date(year, 1, 1), dt.date(year + 1, 1, 1) if year < dt.MAXYEAR else dt.date.max
    days = set(plan.holidays[bisect_left(plan.holidays, first) : bisect_left(plan.holidays, stop)])
    # A transition late in a UTC year can touch local dates of the next one, and vice versa.
    # Probing stays inside the years a UTC datetime can represent in every zone.
    for utc_year in range(max(year - 1, dt.MINYEAR + 1), min(year + 1, dt.MAXYEAR - 1) + 1):
        days.update(day for day in _offset_change_days(plan.zone, utc_year) if day.year == year)
    return days


@lru_cache(maxsize=4096)
def _offset_change_days(zone: ZoneInfo, year: int) -> tuple[dt.date, ...]:
    """Return local dates next to UTC-offset transitions in UTC year ``year``.

    A transition inside a day's hours lands on that day's local date or one either side of it
    (the clock moves by less than a day), hence the neighbours.
    """
    days: set[dt.date] = set()
    for instant in _offset_transitions(zone, year):
        for local in (instant - _SECOND).astimezone(zone), instant.astimezone(zone):
            days.update(local.date() + shift * _DAY for shift in (-1, 0, 1))
    return tuple(sorted(days))


def _offset_transitions(zone: ZoneInfo, year: int) -> Iterator[dt.datetime]:
    """Yield the UTC instants in ``year`` at which the zone's UTC offset changes."""
    probe = dt.datetime(year, 1, 1, tzinfo=UTC)
    stop = dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = probe.astimezone(zone).utcoffset()
    while probe < stop:
        following = min(probe + _OFFSET_PROBE_STEP, stop)
        following_offset = following.astimezone(zone).utcoffset()
        if following_offset != offset:
            yield _first_instant_where(
                _has_offset(zone, following_offset), before=probe, at_or_after=following
            )
        probe, offset = following, following_offset


def _has_offset(zone: ZoneInfo, offset: dt.timedelta) -> Callable[[dt.datetime], bool]:
    return lambda instant: instant.astimezone(zone).utcoffset() == offset


def _first_instant_where(
    predicate: Callable[[dt.datetime], bool], *, before: dt.datetime, at_or_after: dt.datetime
) -> dt.datetime:
    """Bisect for the first instant (to the microsecond) where ``predicate`` becomes true.

    ``predicate`` must be false at ``before`` and true at ``at_or_after``, changing once between.
    """
    low, high = before, at_or_after
    while high - low > _MICROSECOND:
        middle = low + (high - low) / 2
        if predicate(middle):
            high = middle
        else:
            low = middle
    return high


# --- days as real-time spans ------------------------------------------------------------------


def _business_span(plan: _Plan, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """Return the UTC ``[open, close)`` of the local day's business time, None when closed."""
    try:
        return plan.spans[day]
    except KeyError:
        pass
    hours = plan.day_hours[day.weekday()]
    if hours is None or day in plan.holiday_set:
        span = None
    else:
        span = _wall_span(plan.zone, day, hours[0], hours[1])
    if len(plan.spans) >= _SPAN_MEMO_LIMIT:
        plan.spans.clear()  # a long-lived calendar queried over decades; start afresh
    plan.spans[day] = span
    return span


@lru_cache(maxsize=1 << 16)
def _wall_span(
    zone: ZoneInfo, day: dt.date, start: dt.timedelta, end: dt.timedelta
) -> tuple[dt.datetime, dt.datetime]:
    # Cached across calendar objects: callers often rebuild a tenant's calendar per request.
    midnight = dt.datetime.combine(day, dt.time(0))
    return _first_instant_reading(zone, midnight + start), _first_instant_reading(
        zone, midnight + end
    )


def _first_instant_reading(zone: ZoneInfo, wall: dt.datetime) -> dt.datetime:
    """Return the first UTC instant at which the local clock in ``zone`` reads ``wall`` or later.

    For an ambiguous reading that is its first occurrence (fold=0); for a reading skipped by a
    spring-forward gap it is the instant of the jump.
    """
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # In a gap, reading the wall time with the offsets before and after the jump brackets the
    # jump: the clock reads earlier than `wall` at one end and later at the other.
    other = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = sorted((instant, other))
    return _first_instant_where(
        lambda t: t.astimezone(zone).replace(tzinfo=None) >= wall,
        before=low,
        at_or_after=high,
    )


# --- small helpers ----------------------------------------------------------------------------


def _as_utc(value: dt.datetime, *, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _local_date(plan: _Plan, moment: dt.datetime) -> dt.date:
    return moment.astimezone(plan.zone).date()


def _require_open_weekday(plan: _Plan) -> None:
    if plan.week <= _ZERO:
        raise CalendarError("The business calendar has no business time: every weekday is closed.")


def _require_progress(idle_days: int) -> None:
    if idle_days > _MAX_IDLE_DAYS:
        raise CalendarError(
            f"The business calendar has no business time within {_MAX_IDLE_DAYS} days "
            "(are all days holidays?)."
        )


def _days(first: dt.date, stop: dt.date) -> list[dt.date]:
    return [first + offset * _DAY for offset in range((stop - first).days)]
