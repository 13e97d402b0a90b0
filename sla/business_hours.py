"""Business-hours configuration: weekday hours, holidays and time zones, validated.

The types a `sla.clock.BusinessCalendar` is built from, and the checks that turn the API shape
(``{"timezone": ..., "monday": {"start": "09:00", "end": "17:00", "enabled": true}}``) into
them, raising CalendarError naming every bad field. Pure Python, like the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils.translation import gettext as _

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

# WorkingHours(end=time(0)) means "until midnight" (24:00), the only way a `time` can say it.
MIDNIGHT = dt.time(0, 0)
DAY = dt.timedelta(days=1)

_HHMM = re.compile(r"^(\d{2}):(\d{2})$")
_NON_FIELD = "non_field_errors"  # DRF's key, so the API can pass these errors through as-is


class CalendarError(ValueError):
    """An invalid business calendar, or one with no business time to offer.

    ``errors`` holds field errors keyed like :func:`validate_business_hours` returns them.
    """

    def __init__(self, message: str, *, errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, list[str]] = dict(errors or {})


@dataclass(frozen=True)
class WorkingHours:
    """One weekday's opening hours as local wall-clock times; ``end=MIDNIGHT`` means 24:00."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.time) or value.tzinfo is not None:
                raise CalendarError(f"WorkingHours.{name} must be a naive datetime.time.")
        if self.end != MIDNIGHT and self.end <= self.start:
            raise CalendarError(
                f"WorkingHours end {format_time(self.end)} must be after start "
                f"{format_time(self.start)} (overnight shifts are not supported)."
            )

    @property
    def start_offset(self) -> dt.timedelta:
        """Return the start as a distance from local midnight."""
        return since_midnight(self.start)

    @property
    def end_offset(self) -> dt.timedelta:
        """Return the end as a distance from local midnight (a full day for MIDNIGHT)."""
        return DAY if self.end == MIDNIGHT else since_midnight(self.end)


class FrozenHours(Mapping[int, WorkingHours]):
    """A read-only, hashable weekday -> WorkingHours mapping, so calendars can be cache keys."""

    def __init__(self, hours: Mapping[int, WorkingHours]) -> None:
        self._hours = dict(sorted(hours.items()))

    def __getitem__(self, weekday: int) -> WorkingHours:
        return self._hours[weekday]

    def __iter__(self) -> Iterator[int]:
        return iter(self._hours)

    def __len__(self) -> int:
        return len(self._hours)

    def __hash__(self) -> int:
        return hash(tuple(self._hours.items()))

    def __repr__(self) -> str:
        return repr(self._hours)


def validate_business_hours(business_hours: Mapping | None) -> dict[str, list[str]]:
    """Return field errors for an API-shaped business_hours object; an empty dict means valid.

    Keys are the offending field ("monday", "timezone", "holidays", an unknown key) or
    "non_field_errors" for problems of the whole object.
    """
    if business_hours is None:
        return {}
    if not isinstance(business_hours, Mapping):
        return {_NON_FIELD: ["Expected an object mapping weekdays to opening hours."]}
    errors: dict[str, list[str]] = {}
    for key, value in business_hours.items():
        problems = _field_errors(key, value)
        if problems:
            errors.setdefault(str(key), []).extend(problems)
    given_days = [business_hours[day] for day in WEEKDAYS if day in business_hours]
    if given_days and not any(_is_enabled(day) for day in given_days):
        errors.setdefault(_NON_FIELD, []).append(_("At least one weekday must be enabled."))
    return errors


def _field_errors(key: object, value: object) -> list[str]:
    if key == "timezone":
        return [] if load_zone(value) is not None else [unknown_zone_message(value)]
    if key == "holidays":
        if not isinstance(value, list | tuple):
            return ["Expected a list of dates in YYYY-MM-DD format."]
        return holiday_errors(value)
    if key in WEEKDAYS:
        return _day_errors(value)
    return [
        f"Unknown key {key!r}; expected a weekday name (monday..sunday), 'timezone' or 'holidays'."
    ]


def _day_errors(value: object) -> list[str]:
    if not isinstance(value, Mapping):
        return ['Expected an object like {"start": "09:00", "end": "17:00", "enabled": true}.']
    errors = [f"Unknown field {name!r}." for name in value if name not in DAY_FIELDS]
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append(_("'enabled' must be true or false."))
    if enabled is not True:
        return errors  # a disabled day's leftover times do not matter, so they do not block
    start = _parse_hhmm(value.get("start"), allow_24=False)
    end = _parse_hhmm(value.get("end"), allow_24=True)
    if start is None:
        errors.append(_("'start' must be a time in HH:MM format (00:00-23:59)."))
    if end is None:
        errors.append(_("'end' must be a time in HH:MM format (00:00-24:00)."))
    if start is not None and end is not None and end <= start:
        errors.append(_("'end' must be after 'start' (overnight hours are not supported)."))
    return errors


DAY_FIELDS = frozenset({"start", "end", "enabled"})


def _is_enabled(day: object) -> bool:
    return isinstance(day, Mapping) and day.get("enabled", True) is True


def _parse_hhmm(text: object, *, allow_24: bool) -> dt.timedelta | None:
    """Return an HH:MM reading as a distance from midnight, or None if malformed."""
    match = _HHMM.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if allow_24 and (hour, minute) == (24, 0):
        return DAY
    if hour > 23 or minute > 59:
        return None
    return dt.timedelta(hours=hour, minutes=minute)


def holiday_errors(items: Iterable[object]) -> list[str]:
    errors = []
    for position, item in enumerate(items, start=1):
        try:
            parse_holiday(item)
        except (TypeError, ValueError):
            errors.append(
                _("Item %(position)s (%(item)s) is not a date in YYYY-MM-DD format.")
                % {"position": position, "item": repr(item)}
            )
    return errors


def parse_holiday(item: object) -> dt.date:
    # A datetime is a date subclass; refusing it avoids silently using its UTC or local date.
    if isinstance(item, dt.datetime):
        raise TypeError("holidays are dates, not datetimes")
    if isinstance(item, dt.date):
        return item
    if isinstance(item, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):
        return dt.date.fromisoformat(item)
    raise ValueError(f"not an ISO date: {item!r}")


def hours_from_config(config: Mapping) -> dict[int, WorkingHours] | None:
    if not any(day in config for day in WEEKDAYS):
        return None
    hours = {}
    for weekday, name in enumerate(WEEKDAYS):
        day = config.get(name)
        if _is_enabled(day):
            start = _parse_hhmm(day["start"], allow_24=False)
            end = _parse_hhmm(day["end"], allow_24=True)
            hours[weekday] = WorkingHours(start=_time_at(start), end=_time_at(end % DAY))
    return hours


def summarize_errors(errors: Mapping[str, list[str]]) -> str:
    parts = [f"{name}: {message}" for name, messages in errors.items() for message in messages]
    return "Invalid business calendar: " + " ".join(parts)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def load_zone(name: object) -> ZoneInfo | None:
    # Checking the IANA list first keeps file-ish keys ("localtime", "../x") out of tenant data.
    if not isinstance(name, str) or name not in _known_zones():
        return None
    return ZoneInfo(name)


def unknown_zone_message(name: object) -> str:
    return f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'."


def checked_hours(hours: Mapping[int, WorkingHours]) -> dict[int, WorkingHours]:
    if not isinstance(hours, Mapping):
        raise CalendarError("hours must map weekday numbers (0=Monday..6=Sunday) to WorkingHours.")
    for weekday, day in hours.items():
        if isinstance(weekday, bool) or weekday not in range(7):
            raise CalendarError(f"hours: weekday {weekday!r} is not 0 (Monday) .. 6 (Sunday).")
        if not isinstance(day, WorkingHours):
            raise CalendarError(f"hours: weekday {weekday} must map to WorkingHours.")
    return dict(hours)


def checked_holidays(holidays: Iterable[dt.date]) -> Iterator[dt.date]:
    for item in holidays:
        if isinstance(item, dt.datetime) or not isinstance(item, dt.date):
            raise CalendarError(f"holidays: {item!r} is not a datetime.date.")
        yield item


def since_midnight(value: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def format_time(value: dt.time) -> str:
    if value.second or value.microsecond:
        return value.isoformat()
    return value.strftime("%H:%M")


def _time_at(offset: dt.timedelta) -> dt.time:
    return (dt.datetime.min + offset).time()
