"""Due times from facts: pure functions on top of the clock (no ORM).

A target's clock starts at an instant, runs in business time and stands still during stops
(pauses while waiting on the customer or on hold, and the time a ticket spent resolved before
it was reopened). A stop only moves a due time if it began before the clock ran out: once a
target is breached, a later pause does not un-breach it. Because every due time is derived
from the same facts (start, target, the list of stops), re-deriving it after a profile edit
gives exactly what the step-by-step shifts gave, and an explanation can show each step.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sla.clock import (
    BusinessCalendar,
    add_business_seconds,
    business_seconds_between,
    describe,
)


@dataclass(frozen=True)
class Stop:
    """A finished stretch during which the SLA clock stood still."""

    start: dt.datetime
    end: dt.datetime
    reason: str

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "reason": self.reason}

    @classmethod
    def from_json(cls, item: dict) -> Stop:
        return cls(
            start=dt.datetime.fromisoformat(item["start"]),
            end=dt.datetime.fromisoformat(item["end"]),
            reason=item.get("reason", ""),
        )


@dataclass(frozen=True)
class Deadline:
    """When `seconds` of business time have run since `start`, and which stops moved it."""

    at: dt.datetime
    start: dt.datetime
    seconds: int
    counted: tuple[tuple[Stop, int], ...]  # (stop, business seconds it added)

    @property
    def paused_seconds(self) -> int:
        return sum(added for _, added in self.counted)


def deadline(
    calendar: BusinessCalendar,
    *,
    start: dt.datetime,
    seconds: int,
    stops: Sequence[Stop] = (),
    until: dt.datetime | None = None,
) -> Deadline:
    """Return the instant at which `seconds` of business time have run since `start`.

    The business time inside each stop is added back, for stops (clipped to begin no earlier
    than `start`) that began before the clock ran out and before `until` (the instant the
    target was met, if it was).
    """
    at = add_business_seconds(calendar, start, seconds)
    extra = 0
    counted: list[tuple[Stop, int]] = []
    for stop in sorted(stops, key=lambda s: s.start):
        begin = max(stop.start, start)
        if stop.end <= begin:
            continue
        if begin >= at or (until is not None and begin >= until):
            break
        added = business_seconds_between(calendar, begin, stop.end)
        counted.append((stop, added))
        if added:
            extra += added
            at = add_business_seconds(calendar, start, seconds + extra)
    return Deadline(at=at, start=start, seconds=seconds, counted=tuple(counted))


def risk_seconds(minutes: int, ratio: float) -> int | None:
    """Business seconds after which a target counts as at risk; None if it never does."""
    if not 0 < ratio < 1:
        return None
    return math.floor(minutes * 60 * ratio)


def stopped_seconds(calendar: BusinessCalendar, stops: Iterable[Stop]) -> int:
    """Total business time of `stops` in `calendar`."""
    return sum(business_seconds_between(calendar, s.start, s.end) for s in stops)


@lru_cache(maxsize=256)
def _calendar(key: str) -> BusinessCalendar:
    config = json.loads(key)
    return BusinessCalendar.from_config(config["hours"] or None, config["holidays"])


# Yearly holidays become dates in this window around today: far enough back for the running
# tickets' clocks and far enough ahead for any due time, few enough to keep calendars small.
YEARS_BACK, YEARS_AHEAD = 2, 10


def parse_month_day(value: object) -> str | None:
    """Return "MM-DD" for a valid month-day text (29 February allowed), else None."""
    if not isinstance(value, str) or len(value.strip()) != 5 or value.strip()[2] != "-":
        return None
    try:
        dt.date(2000, int(value[:2]), int(value[3:5]))  # 2000 is a leap year
    except ValueError:
        return None
    return value.strip()


def yearly_dates(month_days: Iterable[str], *, today: dt.date | None = None) -> list[dt.date]:
    """The dates of yearly holidays ("MM-DD") in the window around `today` (29 February only
    in leap years)."""
    year = (today or dt.date.today()).year
    dates = []
    for text in month_days:
        month, day = int(text[:2]), int(text[3:5])
        for candidate in range(year - YEARS_BACK, year + YEARS_AHEAD + 1):
            try:
                dates.append(dt.date(candidate, month, day))
            except ValueError:
                continue
    return dates


def calendar_of(
    business_hours: dict | None, holidays: Iterable, recurring: Iterable[str] = ()
) -> BusinessCalendar:
    """The (cached, immutable) calendar for a profile's stored business hours and holidays."""
    days = {str(day) for day in holidays} | {str(day) for day in yearly_dates(recurring)}
    key = json.dumps(
        {"hours": business_hours or {}, "holidays": sorted(days)},
        sort_keys=True,
    )
    return _calendar(key)


def explain_deadline(calendar: BusinessCalendar, line: Deadline, *, minutes: int) -> dict:
    """A JSON-able account of how a due time was reached, for disputes and the audit trail."""
    return {
        "start": line.start.isoformat(),
        "target_minutes": minutes,
        "calendar": describe(calendar),
        "stops": [
            {**stop.as_json(), "business_minutes_added": round(added / 60, 2)}
            for stop, added in line.counted
        ],
        "paused_business_minutes": round(line.paused_seconds / 60, 2),
        "due_at": line.at.isoformat(),
    }
