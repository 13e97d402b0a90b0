"""Calendars, zones and time helpers shared by the SLA clock tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sla.clock import BusinessCalendar, WorkingHours

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
ST_JOHNS = ZoneInfo("America/St_Johns")
SANTIAGO = ZoneInfo("America/Santiago")

NINE_TO_FIVE = WorkingHours(start=dt.time(9), end=dt.time(17))
WEEKDAYS_NINE_TO_FIVE = {weekday: NINE_TO_FIVE for weekday in range(5)}

# Germany's 2025 public holidays (nine on weekdays) plus Saturday 1 November: ten in all.
GERMAN_HOLIDAYS_2025 = frozenset(
    dt.date.fromisoformat(day)
    for day in (
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-01",
        "2025-05-29",
        "2025-06-09",
        "2025-10-03",
        "2025-11-01",
        "2025-12-25",
        "2025-12-26",
    )
)


def office(zone: str = "Europe/Berlin", **kwargs) -> BusinessCalendar:
    return BusinessCalendar(timezone=zone, hours=WEEKDAYS_NINE_TO_FIVE, **kwargs)


def every_day(start: dt.time, end: dt.time, zone: str) -> BusinessCalendar:
    hours = WorkingHours(start=start, end=end)
    return BusinessCalendar(timezone=zone, hours=dict.fromkeys(range(7), hours))


def at(zone: ZoneInfo, *parts: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone, fold=fold)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)
