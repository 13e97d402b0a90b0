"""Operations per second of the SLA clock for week-long and year-long spans.

Run: ``.venv/bin/python benchmarks/sla_clock.py``. No Django needed. A year-long span should
cost about what a week-long one does: long spans skip whole weeks arithmetically.
"""

from __future__ import annotations

import datetime as dt
import sys
import timeit
from pathlib import Path
from zoneinfo import ZoneInfo

# Runnable as a plain script from the repository root or from benchmarks/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sla.clock import (
    BusinessCalendar,
    WorkingHours,
    add_business_minutes,
    business_minutes_between,
    describe,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOLIDAYS_2025 = (
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-01",
    "2025-05-29",
    "2025-06-09",
    "2025-10-03",
    "2025-12-25",
    "2025-12-26",
    "2025-12-31",
)
WEEK = dt.timedelta(days=7)
YEAR = dt.timedelta(days=365)


def office_calendar() -> BusinessCalendar:
    nine_to_five = WorkingHours(start=dt.time(9), end=dt.time(17))
    return BusinessCalendar(
        timezone="Europe/Berlin",
        hours=dict.fromkeys(range(5), nine_to_five),
        holidays=frozenset(dt.date.fromisoformat(day) for day in HOLIDAYS_2025),
    )


def around_the_clock_calendar() -> BusinessCalendar:
    return BusinessCalendar(timezone="Europe/Berlin")


def operations_per_second(operation, *, seconds: float = 0.4) -> float:
    """Return calls per second, timing enough calls to fill about ``seconds``."""
    operation()  # warm the caches (zone transitions, day spans) like a running server has
    calls, elapsed = timeit.Timer(operation).autorange()
    repeats = max(1, int(seconds / elapsed))
    best = min(timeit.Timer(operation).repeat(repeat=3, number=calls * repeats))
    return calls * repeats / best


def span_minutes(calendar: BusinessCalendar, start: dt.datetime, span: dt.timedelta) -> int:
    return business_minutes_between(calendar, start, start + span)


def main() -> None:
    start = dt.datetime(2025, 3, 14, 16, 30, tzinfo=BERLIN)  # a Friday afternoon
    print(f"{'calendar':<46} {'operation':<26} {'span':<5} {'ops/s':>10}")
    for calendar in (office_calendar(), around_the_clock_calendar()):
        for label, span in (("week", WEEK), ("year", YEAR)):
            minutes = span_minutes(calendar, start, span)
            rows = (
                (
                    "add_business_minutes",
                    lambda c=calendar, m=minutes: add_business_minutes(c, start, m),
                ),
                (
                    "business_minutes_between",
                    lambda c=calendar, s=span: business_minutes_between(c, start, start + s),
                ),
            )
            for name, operation in rows:
                rate = operations_per_second(operation)
                print(f"{describe(calendar):<46} {name:<26} {label:<5} {rate:>10,.0f}")


if __name__ == "__main__":
    main()
