"""Tests for the SLA business-time clock: worked examples, properties and a brute-force oracle.

Runs without Django: ``pytest -p no:django -o addopts="" tests/sla/test_clock.py``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sla import clock
from sla.clock import (
    MIDNIGHT,
    BusinessCalendar,
    CalendarError,
    WorkingHours,
    add_business_minutes,
    add_business_seconds,
    business_minutes_between,
    business_seconds_between,
    describe,
    is_business_time,
    next_business_start,
    validate_business_hours,
)
from tests.sla.clock_support import (
    BERLIN,
    GERMAN_HOLIDAYS_2025,
    KOLKATA,
    LORD_HOWE,
    NEW_YORK,
    NINE_TO_FIVE,
    SANTIAGO,
    ST_JOHNS,
    UTC,
    at,
    every_day,
    office,
    utc,
)

# --- worked examples: office hours ----------------------------------------------------------


def test_friday_afternoon_ticket_is_due_monday_morning():
    friday = at(BERLIN, 2025, 3, 14, 16, 30)

    due = add_business_minutes(office(), friday, 60)

    assert due == at(BERLIN, 2025, 3, 17, 9, 30)
    assert due.tzinfo is UTC


def test_holiday_monday_moves_the_due_time_to_tuesday():
    calendar = office(holidays=frozenset({dt.date(2025, 3, 17)}))

    due = add_business_minutes(calendar, at(BERLIN, 2025, 3, 14, 16, 30), 60)

    assert due == at(BERLIN, 2025, 3, 18, 9, 30)


def test_start_before_opening_counts_from_opening():
    due = add_business_minutes(office(), at(BERLIN, 2025, 3, 18, 7, 0), 60)

    assert due == at(BERLIN, 2025, 3, 18, 10, 0)


def test_start_on_a_closed_weekday_counts_from_next_opening():
    saturday_noon = at(BERLIN, 2025, 3, 15, 12, 0)

    assert add_business_minutes(office(), saturday_noon, 60) == at(BERLIN, 2025, 3, 17, 10, 0)
    assert business_minutes_between(office(), saturday_noon, at(BERLIN, 2025, 3, 17, 9, 0)) == 0


def test_start_on_a_disabled_day_from_config_counts_from_next_opening():
    calendar = BusinessCalendar.from_config(
        {
            "timezone": "Europe/Berlin",
            "monday": {"start": "09:00", "end": "17:00", "enabled": False},
            "tuesday": {"start": "09:00", "end": "17:00", "enabled": True},
        }
    )

    due = add_business_minutes(calendar, at(BERLIN, 2025, 3, 17, 10, 0), 30)

    assert due == at(BERLIN, 2025, 3, 18, 9, 30)


def test_target_ending_exactly_at_closing_is_due_at_closing():
    due = add_business_minutes(office(), at(BERLIN, 2025, 3, 18, 16, 0), 60)

    assert due == at(BERLIN, 2025, 3, 18, 17, 0)


def test_zero_target_is_due_immediately_in_hours_and_at_opening_outside():
    in_hours = at(BERLIN, 2025, 3, 18, 10, 15, 42, 123)
    at_night = at(BERLIN, 2025, 3, 18, 23, 0)

    assert add_business_minutes(office(), in_hours, 0) == in_hours
    assert add_business_minutes(office(), at_night, 0) == at(BERLIN, 2025, 3, 19, 9, 0)


def test_closing_instant_is_not_business_time():
    calendar = office()

    assert is_business_time(calendar, at(BERLIN, 2025, 3, 18, 9, 0))
    assert not is_business_time(calendar, at(BERLIN, 2025, 3, 18, 17, 0))
    assert next_business_start(calendar, at(BERLIN, 2025, 3, 18, 17, 0)) == at(
        BERLIN, 2025, 3, 19, 9, 0
    )


def test_inputs_in_any_zone_give_utc_outputs():
    friday_in_tokyo = at(BERLIN, 2025, 3, 14, 16, 30).astimezone(ZoneInfo("Asia/Tokyo"))

    due = add_business_minutes(office(), friday_in_tokyo, 60)

    assert due.tzinfo is UTC
    assert due == utc(2025, 3, 17, 8, 30)


def test_half_hour_offset_zone():
    calendar = BusinessCalendar(
        timezone="Asia/Kolkata",
        hours=dict.fromkeys(range(5), WorkingHours(start=dt.time(9, 30), end=dt.time(18))),
    )

    due = add_business_minutes(calendar, at(KOLKATA, 2025, 3, 14, 17, 45), 30)

    assert due == at(KOLKATA, 2025, 3, 17, 9, 45)
    assert due == utc(2025, 3, 17, 4, 15)


def test_year_long_span_with_holidays():
    calendar = office(holidays=GERMAN_HOLIDAYS_2025)
    new_year, next_new_year = at(BERLIN, 2025, 1, 1), at(BERLIN, 2026, 1, 1)
    # 261 weekdays in 2025, nine of them holidays, 480 minutes each.
    expected = (261 - 9) * 480

    assert business_minutes_between(calendar, new_year, next_new_year) == expected
    assert add_business_minutes(calendar, new_year, expected) == at(BERLIN, 2025, 12, 31, 17, 0)


def test_year_long_span_around_the_clock():
    calendar = BusinessCalendar(timezone="Europe/Berlin", holidays=GERMAN_HOLIDAYS_2025)
    new_year, next_new_year = at(BERLIN, 2025, 1, 1), at(BERLIN, 2026, 1, 1)

    assert business_minutes_between(calendar, new_year, next_new_year) == (365 - 10) * 1440


# --- worked examples: daylight saving time ----------------------------------------------------


def test_office_hours_across_new_york_spring_forward_weekend():
    friday = at(NEW_YORK, 2024, 3, 8, 16, 0)

    due = add_business_minutes(office("America/New_York"), friday, 120)

    assert due == at(NEW_YORK, 2024, 3, 11, 10, 0)
    assert due == utc(2024, 3, 11, 14, 0)  # EDT on Monday, EST on Friday
    week = (at(NEW_YORK, 2024, 3, 4, 9), at(NEW_YORK, 2024, 3, 11, 9))
    assert business_minutes_between(office("America/New_York"), *week) == 5 * 480


def test_office_hours_across_new_york_fall_back_weekend():
    due = add_business_minutes(office("America/New_York"), at(NEW_YORK, 2024, 11, 1, 16), 120)

    assert due == utc(2024, 11, 4, 15, 0)  # Monday 10:00 EST


def test_office_hours_across_berlin_dst_weekends():
    spring = add_business_minutes(office(), at(BERLIN, 2025, 3, 28, 16), 120)
    autumn = add_business_minutes(office(), at(BERLIN, 2025, 10, 24, 16), 120)

    assert spring == utc(2025, 3, 31, 8, 0)  # Monday 10:00 CEST
    assert autumn == utc(2025, 10, 27, 9, 0)  # Monday 10:00 CET


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (NEW_YORK, dt.date(2024, 3, 10), 23),
        (NEW_YORK, dt.date(2024, 11, 3), 25),
        (BERLIN, dt.date(2025, 3, 30), 23),
        (BERLIN, dt.date(2025, 10, 26), 25),
        (LORD_HOWE, dt.date(2025, 10, 5), 23.5),
        (LORD_HOWE, dt.date(2025, 4, 6), 24.5),
        (ST_JOHNS, dt.date(2025, 3, 9), 23),
        (SANTIAGO, dt.date(2024, 4, 6), 25),  # 24:00 back to 23:00: Saturday gets the repeat
        (SANTIAGO, dt.date(2024, 9, 8), 23),  # midnight itself is skipped
    ],
)
def test_around_the_clock_dst_days_last_their_real_length(zone, day, hours):
    calendar = BusinessCalendar(timezone=zone.key)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)

    assert business_seconds_between(calendar, midnight, next_midnight) == hours * 3600
    assert add_business_seconds(calendar, midnight, int(hours * 3600)) == next_midnight


def test_around_the_clock_adds_real_elapsed_time_across_spring_forward():
    saturday_noon = at(NEW_YORK, 2024, 3, 9, 12)

    due = add_business_minutes(BusinessCalendar(timezone="America/New_York"), saturday_noon, 1440)

    assert due == at(NEW_YORK, 2024, 3, 10, 13)  # 24 real hours; the clock shows 25 later


@pytest.mark.parametrize(
    ("day", "hours"),
    [(dt.date(2025, 3, 30), 5), (dt.date(2025, 10, 26), 7), (dt.date(2025, 10, 27), 6)],
)
def test_night_shift_hours_change_length_on_dst_days(day, hours):
    calendar = every_day(dt.time(0), dt.time(6), "Europe/Berlin")
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=BERLIN)

    assert business_seconds_between(calendar, midnight, midnight + dt.timedelta(days=1)) == (
        hours * 3600
    )


def test_opening_inside_spring_forward_gap_opens_when_the_clock_jumps():
    calendar = every_day(dt.time(2, 30), dt.time(10), "America/New_York")
    before_dawn = at(NEW_YORK, 2024, 3, 10, 1, 0)

    opening = next_business_start(calendar, before_dawn)

    assert opening == utc(2024, 3, 10, 7, 0)  # 03:00 EDT, the first reading past 02:30
    assert business_minutes_between(calendar, before_dawn, at(NEW_YORK, 2024, 3, 10, 12)) == 7 * 60


def test_hours_inside_spring_forward_gap_are_empty_that_day():
    calendar = every_day(dt.time(2, 0), dt.time(2, 30), "America/New_York")

    opening = next_business_start(calendar, at(NEW_YORK, 2024, 3, 10, 0, 0))

    assert opening == at(NEW_YORK, 2024, 3, 11, 2, 0)


def test_boundaries_in_the_repeated_hour_use_its_first_occurrence():
    early = every_day(dt.time(0), dt.time(1, 30), "America/New_York")
    late = every_day(dt.time(1, 30), dt.time(3), "America/New_York")
    day = (at(NEW_YORK, 2024, 11, 3), at(NEW_YORK, 2024, 11, 4))
    second_one_fifteen = at(NEW_YORK, 2024, 11, 3, 1, 15, fold=1)

    assert business_minutes_between(early, *day) == 90  # closes at the first 01:30 (EDT)
    assert business_minutes_between(late, *day) == 150  # 01:30 EDT to 03:00 EST
    assert not is_business_time(early, second_one_fifteen)
    assert is_business_time(late, second_one_fifteen)
    assert next_business_start(late, at(NEW_YORK, 2024, 11, 3, 1)) == utc(2024, 11, 3, 5, 30)


def test_hours_until_midnight_are_supported():
    calendar = BusinessCalendar.from_config(
        {"timezone": "UTC", "monday": {"start": "18:00", "end": "24:00", "enabled": True}}
    )

    assert calendar.hours[0] == WorkingHours(start=dt.time(18), end=MIDNIGHT)
    assert add_business_minutes(calendar, utc(2025, 3, 17, 23, 0), 60) == utc(2025, 3, 18)
    assert add_business_minutes(calendar, utc(2025, 3, 17, 23, 0), 61) == utc(2025, 3, 24, 18, 1)


# --- configuration, validation, failure modes ------------------------------------------------


def test_from_config_builds_weekday_hours_and_holidays():
    calendar = BusinessCalendar.from_config(
        {
            "timezone": "America/New_York",
            "monday": {"start": "09:00", "end": "17:00", "enabled": True},
            "friday": {"start": "10:00", "end": "15:30", "enabled": True},
            "saturday": {"start": "10:00", "end": "12:00", "enabled": False},
        },
        holidays=["2025-12-25", dt.date(2025, 12, 26)],
    )

    assert calendar.timezone == "America/New_York"
    assert dict(calendar.hours) == {
        0: NINE_TO_FIVE,
        4: WorkingHours(start=dt.time(10), end=dt.time(15, 30)),
    }
    assert calendar.holidays == {dt.date(2025, 12, 25), dt.date(2025, 12, 26)}


def test_from_config_adds_holidays_listed_in_the_config():
    calendar = BusinessCalendar.from_config(
        {"timezone": "UTC", "holidays": ["2025-01-01"]}, holidays=["2025-01-02"]
    )

    assert calendar.holidays == {dt.date(2025, 1, 1), dt.date(2025, 1, 2)}
    assert next_business_start(calendar, utc(2025, 1, 1, 12)) == utc(2025, 1, 3)


@pytest.mark.parametrize("config", [None, {}, {"timezone": "Asia/Kolkata"}])
def test_from_config_without_weekdays_is_around_the_clock(config):
    calendar = BusinessCalendar.from_config(config)

    assert calendar.hours is None
    assert calendar.timezone == (config or {}).get("timezone", "UTC")
    assert is_business_time(calendar, utc(2025, 3, 16, 3, 0))


def test_validation_names_each_bad_field():
    errors = validate_business_hours(
        {
            "timezone": "Mars/Olympus_Mons",
            "monday": {"start": "9:00", "end": "17:00"},
            "tuesday": {"start": "17:00", "end": "09:00", "enabled": True},
            "wednesday": {"start": "09:00", "end": "25:00", "enabled": "yes"},
            "thursday": "nine to five",
            "funday": {"start": "09:00", "end": "17:00"},
            "holidays": ["2025-12-25", "Christmas"],
        }
    )

    assert set(errors) == {
        "timezone",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "funday",
        "holidays",
    }
    assert "HH:MM" in errors["monday"][0]
    assert "after" in errors["tuesday"][0]
    assert "true or false" in errors["wednesday"][0]
    assert "Item 2" in errors["holidays"][0]


def test_validation_requires_an_enabled_day_when_days_are_given():
    errors = validate_business_hours(
        {"monday": {"start": "09:00", "end": "17:00", "enabled": False}}
    )

    assert errors == {"non_field_errors": ["At least one weekday must be enabled."]}


@pytest.mark.parametrize(
    "config",
    [
        {},
        None,
        {"timezone": "Australia/Lord_Howe"},
        {"sunday": {"start": "00:00", "end": "24:00", "enabled": True}},
        {"monday": {"enabled": False}, "tuesday": {"start": "08:00", "end": "12:00"}},
    ],
)
def test_valid_configs_have_no_errors(config):
    assert validate_business_hours(config) == {}


def test_from_config_raises_with_every_bad_field_named():
    with pytest.raises(CalendarError) as raised:
        BusinessCalendar.from_config(
            {"timezone": "Nowhere/Special", "monday": {"start": "10:00", "end": "09:00"}},
            holidays=["next tuesday"],
        )

    assert set(raised.value.errors) == {"timezone", "monday", "holidays"}
    assert "timezone" in str(raised.value) and "monday" in str(raised.value)


def test_calendar_closed_every_day_raises_instead_of_looping():
    closed = BusinessCalendar(timezone="UTC", hours={})

    with pytest.raises(CalendarError, match="every weekday is closed"):
        add_business_minutes(closed, utc(2025, 1, 1), 60)
    with pytest.raises(CalendarError):
        next_business_start(closed, utc(2025, 1, 1))
    assert business_minutes_between(closed, utc(2025, 1, 1), utc(2026, 1, 1)) == 0
    assert describe(closed) == "Closed every day UTC"


def test_calendar_whose_every_day_is_a_holiday_raises():
    start = dt.date(2025, 1, 1)
    holidays = frozenset(start + dt.timedelta(days=n) for n in range(5 * 366))
    calendar = BusinessCalendar(timezone="UTC", holidays=holidays)

    with pytest.raises(CalendarError, match="within"):
        add_business_minutes(calendar, utc(2025, 1, 1), 60)


def test_long_holiday_stretch_is_crossed_when_business_time_follows():
    holidays = frozenset(dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(400))
    calendar = BusinessCalendar(timezone="UTC", holidays=holidays)

    assert add_business_minutes(calendar, utc(2025, 1, 1), 60) == utc(2026, 2, 5, 1, 0)


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(office(), dt.datetime(2025, 3, 14, 16, 30), 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_minutes_between(office(), utc(2025, 1, 1), dt.datetime(2025, 2, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        is_business_time(office(), dt.datetime(2025, 3, 14, 16, 30))


def test_negative_targets_are_rejected():
    with pytest.raises(ValueError, match=">= 0"):
        add_business_minutes(office(), utc(2025, 1, 1), -1)


def test_working_hours_must_end_after_start():
    with pytest.raises(CalendarError, match="after start"):
        WorkingHours(start=dt.time(17), end=dt.time(9))


@pytest.mark.parametrize(
    ("hours", "message"),
    [({7: NINE_TO_FIVE}, "weekday 7"), ({0: (dt.time(9), dt.time(17))}, "WorkingHours")],
)
def test_invalid_hours_are_rejected_on_construction(hours, message):
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(timezone="UTC", hours=hours)


def test_unknown_timezone_is_rejected_on_construction():
    with pytest.raises(CalendarError, match="timezone"):
        BusinessCalendar(timezone="Europe/Atlantis")


def test_calendars_are_hashable_values():
    assert office() == office()
    assert hash(office()) == hash(office())
    assert office() != office(holidays=frozenset({dt.date(2025, 1, 1)}))


@pytest.mark.parametrize(
    ("calendar", "text"),
    [
        (
            office(holidays=frozenset({dt.date(2025, 1, 1), dt.date(2025, 12, 25)})),
            "Mon-Fri 09:00-17:00 Europe/Berlin, 2 holidays",
        ),
        (BusinessCalendar(timezone="UTC"), "24x7 UTC"),
        (
            BusinessCalendar(timezone="UTC", holidays=frozenset({dt.date(2025, 1, 1)})),
            "24x7 UTC, 1 holiday",
        ),
        (
            BusinessCalendar(
                timezone="America/St_Johns",
                hours={
                    0: NINE_TO_FIVE,
                    1: NINE_TO_FIVE,
                    3: NINE_TO_FIVE,
                    5: WorkingHours(start=dt.time(10), end=MIDNIGHT),
                    6: WorkingHours(start=dt.time(10), end=MIDNIGHT),
                },
            ),
            "Mon-Tue 09:00-17:00, Thu 09:00-17:00, Sat-Sun 10:00-24:00 America/St_Johns",
        ),
    ],
)
def test_describe_gives_one_human_line(calendar, text):
    assert describe(calendar) == text


def test_year_long_span_costs_about_what_a_week_costs(monkeypatch):
    lookups = []
    real_span = clock._business_span

    def counting_span(plan, day):
        lookups.append(day)
        return real_span(plan, day)

    monkeypatch.setattr(clock, "_business_span", counting_span)
    calendar = office(holidays=GERMAN_HOLIDAYS_2025)
    start = at(BERLIN, 2025, 1, 6, 9)

    def cost(minutes: int) -> int:
        lookups.clear()
        due = add_business_minutes(calendar, start, minutes)
        business_minutes_between(calendar, start, due)
        return len(lookups)

    week, year, decade = cost(5 * 480), cost(52 * 5 * 480), cost(520 * 5 * 480)
    # Only holidays (10) and days next to DST changes (about 6 a year) are looked at one by one.
    assert year <= week + 40
    assert decade <= week + 40 + 9 * 12
