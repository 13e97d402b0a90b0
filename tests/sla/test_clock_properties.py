"""SLA clock properties against a brute-force minute-grid oracle (hypothesis).

Runs without Django: ``pytest -p no:django -o addopts="" tests/sla/test_clock_properties.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.clock import (
    MIDNIGHT,
    BusinessCalendar,
    WorkingHours,
    add_business_minutes,
    business_minutes_between,
    business_seconds_between,
    is_business_time,
    next_business_start,
)
from tests.sla.clock_support import (
    BERLIN,
    UTC,
)

# --- the brute-force oracle ---------------------------------------------------------------------

MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class MinuteGrid:
    """Which whole UTC minutes from ``first`` on are business time, found one minute at a time.

    The oracle's own, deliberately naive reading of the rules: a minute is business time when
    the local wall clock, as it has first reached it (the highest reading so far, so a repeated
    fall-back hour does not count twice), is a time within that date's hours and the date is not
    a holiday. Works because every offset and boundary in the tested zones is a whole minute.
    """

    first: dt.datetime
    flags: tuple[bool, ...]

    @classmethod
    def scan(cls, calendar: BusinessCalendar, first: dt.datetime, minutes: int) -> MinuteGrid:
        zone = ZoneInfo(calendar.timezone)
        highest = None
        flags = []
        moment = first - dt.timedelta(days=2)  # enough history for the highest reading
        while moment < first + minutes * MINUTE:
            reading = moment.astimezone(zone).replace(tzinfo=None)
            highest = reading if highest is None else max(highest, reading)
            if moment >= first:
                flags.append(reading_is_open(calendar, highest))
            moment += MINUTE
        return cls(first=first, flags=tuple(flags))

    def minutes_between(self, start: int, stop: int) -> int:
        return sum(self.flags[start:stop])

    def add(self, start: int, minutes: int) -> dt.datetime | None:
        """Return the end of the n-th business minute from ``start`` (n=0: the next one's start)."""
        seen = 0
        for index in range(start, len(self.flags)):
            if self.flags[index]:
                if minutes == 0:
                    return self.first + index * MINUTE
                seen += 1
                if seen == minutes:
                    return self.first + (index + 1) * MINUTE
        return None  # not within the scanned range


def reading_is_open(calendar: BusinessCalendar, reading: dt.datetime) -> bool:
    if reading.date() in calendar.holidays:
        return False
    if calendar.hours is None:
        return True
    hours = calendar.hours.get(reading.weekday())
    if hours is None:
        return False
    return hours.start <= reading.time() and (hours.end == MIDNIGHT or reading.time() < hours.end)


def elapsed(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Return ``moment`` plus real elapsed time, in ``moment``'s zone.

    Plain ``+`` on a zoneinfo datetime adds wall-clock time (and drops fold), which across a
    DST change is not ``delta`` later, or even later at all.
    """
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


# --- strategies ---------------------------------------------------------------------------------

ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "UTC",
    "America/St_Johns",
    "America/Santiago",  # changes at midnight, so whole days start or end inside gaps and repeats
)
# Readings where the tested zones change offset, so boundaries land in gaps and repeats.
DST_READINGS = [0, 1, 30, 60, 90, 105, 120, 150, 180, 210, 240]
EPOCH = dt.datetime(2024, 1, 1, tzinfo=UTC)
INPUT_ZONES = (
    UTC,
    BERLIN,
    ZoneInfo("Asia/Tokyo"),
    dt.timezone(dt.timedelta(hours=-7, minutes=-15)),
)


@cache
def offset_transitions(zone_name: str) -> tuple[dt.datetime, ...]:
    """Return 2024-2026 UTC-offset changes, found by an hourly scan (independent of the clock)."""
    zone = ZoneInfo(zone_name)
    found = []
    moment = EPOCH
    while moment < dt.datetime(2027, 1, 1, tzinfo=UTC):
        step = moment + dt.timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != step.astimezone(zone).utcoffset():
            found.append(step)
        moment = step
    return tuple(found)


minute_of_day = st.one_of(st.sampled_from(DST_READINGS + [540, 1020, 1439]), st.integers(0, 1439))


@st.composite
def working_hours(draw) -> WorkingHours:
    start = draw(minute_of_day)
    end = draw(
        st.one_of(
            st.integers(start + 1, 1440),
            st.sampled_from([m for m in DST_READINGS + [1440] if m > start] or [1440]),
        )
    )
    return WorkingHours(start=minute_time(start), end=MIDNIGHT if end == 1440 else minute_time(end))


def minute_time(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


@st.composite
def instants(draw, zone_name: str, *, whole_minutes: bool = True) -> dt.datetime:
    transitions = offset_transitions(zone_name)
    if transitions and draw(st.booleans()):
        base = draw(st.sampled_from(transitions))
        moment = base + draw(st.integers(-3 * 1440, 3 * 1440)) * MINUTE
    else:
        moment = EPOCH + draw(st.integers(0, 3 * 365 * 1440)) * MINUTE
    if not whole_minutes:
        moment += dt.timedelta(seconds=draw(st.integers(0, 59)))
    return moment.astimezone(draw(st.sampled_from(INPUT_ZONES)))


@st.composite
def calendars(draw, zone_name: str, near: dt.datetime) -> BusinessCalendar:
    if draw(st.integers(0, 3)) == 0:
        hours = None
    else:
        days = draw(st.sets(st.integers(0, 6), min_size=1))
        shared = draw(working_hours())
        same = draw(st.booleans())
        hours = {day: shared if same else draw(working_hours()) for day in days}
    nearby = draw(st.sets(st.integers(-2, 14), max_size=6))
    far = draw(st.sets(st.integers(15, 500), max_size=10))
    first = near.astimezone(ZoneInfo(zone_name)).date()
    holidays = frozenset(first + dt.timedelta(days=n) for n in nearby | far)
    return BusinessCalendar(timezone=zone_name, hours=hours, holidays=holidays)


@st.composite
def scenarios(draw, *, whole_minutes: bool = True) -> tuple[BusinessCalendar, dt.datetime]:
    zone_name = draw(st.sampled_from(ZONES))
    start = draw(instants(zone_name, whole_minutes=whole_minutes))
    return draw(calendars(zone_name, start)), start


PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ORACLE_SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# --- properties -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenario=scenarios(whole_minutes=False), minutes=st.integers(0, 200_000))
def test_minutes_between_start_and_due_equal_the_target(scenario, minutes):
    calendar, start = scenario

    due = add_business_minutes(calendar, start, minutes)

    assert due.tzinfo is UTC
    # In UTC, because Python never finds a zoneinfo time in a repeated hour (fold=1) equal to
    # a time in another zone.
    anchor = (
        start.astimezone(UTC)
        if is_business_time(calendar, start)
        else next_business_start(calendar, start)
    )
    assert business_minutes_between(calendar, anchor, due) == minutes
    assert business_seconds_between(calendar, start, due) == minutes * 60
    if minutes == 0:
        assert due == anchor
    assert is_business_time(calendar, anchor)


@PROPERTY_SETTINGS
@given(
    scenario=scenarios(whole_minutes=False),
    targets=st.lists(st.integers(0, 200_000), min_size=2, max_size=2),
    later=st.integers(0, 20 * 1440),
)
def test_due_times_and_durations_are_monotonic(scenario, targets, later):
    calendar, start = scenario
    smaller, larger = sorted(targets)
    second_start = elapsed(start, later * MINUTE)

    first_due = add_business_minutes(calendar, start, smaller)
    second_due = add_business_minutes(calendar, start, larger)

    assert first_due <= second_due
    assert add_business_minutes(calendar, second_start, smaller) >= first_due
    assert business_minutes_between(calendar, start, second_due) >= business_minutes_between(
        calendar, second_start, second_due
    )


@PROPERTY_SETTINGS
@given(
    scenario=scenarios(whole_minutes=False),
    gaps=st.lists(st.integers(0, 400 * 86400), min_size=2, max_size=2),
)
def test_business_seconds_add_up_over_adjacent_ranges(scenario, gaps):
    calendar, first = scenario
    middle = elapsed(first, dt.timedelta(seconds=gaps[0]))
    last = elapsed(middle, dt.timedelta(seconds=gaps[1]))

    whole = business_seconds_between(calendar, first, last)

    assert whole == business_seconds_between(calendar, first, middle) + business_seconds_between(
        calendar, middle, last
    )
    assert business_seconds_between(calendar, last, first) == 0


@ORACLE_SETTINGS
@given(
    scenario=scenarios(),
    span=st.integers(1, 10 * 1440),
    data=st.data(),
)
def test_clock_agrees_with_minute_by_minute_oracle(scenario, span, data):
    calendar, start = scenario
    grid = MinuteGrid.scan(calendar, start.astimezone(UTC), span)
    probe = data.draw(st.integers(0, span - 1), label="probe")
    target = data.draw(st.integers(0, max(grid.minutes_between(0, span), 1)), label="target")
    probed = elapsed(start, probe * MINUTE)

    assert business_seconds_between(calendar, start, elapsed(start, span * MINUTE)) == (
        60 * grid.minutes_between(0, span)
    )
    assert business_minutes_between(calendar, probed, elapsed(start, span * MINUTE)) == (
        grid.minutes_between(probe, span)
    )
    assert is_business_time(calendar, probed) == grid.flags[probe]
    expected_due = grid.add(0, target)
    if expected_due is not None:
        assert add_business_minutes(calendar, start, target) == expected_due
    expected_opening = grid.add(probe, 0)
    if expected_opening is not None:
        assert next_business_start(calendar, probed) == expected_opening
