"""Agent availability data: cleaning what an agent profile may hold, and the hook for
working-hours validation.

Working hours have the shape of an SLA profile's ``business_hours``; the SLA app owns that
shape and its validator, and sits above `tickets`, so a higher app registers the validator
here in its ``AppConfig.ready()`` (see `automation.apps`). Without one, only the basic
shape (an object) is checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from panel1.exceptions import DomainError

MAX_SKILLS = 30
MAX_SKILL_LENGTH = 50
MAX_ABSENCES = 50

WorkingHoursValidator = Callable[[Mapping | None], dict[str, list[str]]]
_validators: dict[str, WorkingHoursValidator] = {}


def register_working_hours_validator(key: str, validator: WorkingHoursValidator) -> None:
    """Register `validator(value) -> {field: [messages]}` (empty = valid) under `key`."""
    _validators[key] = validator


def language_codes() -> list[str]:
    """The codes of `settings.LANGUAGES`, lowercase BCP 47 (``de``, ``pt-br``)."""
    return [code.lower() for code, _label in settings.LANGUAGES]


def clean_languages(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise DomainError({"languages": [_("Expected a list of language codes.")]})
    known = language_codes()
    cleaned: list[str] = []
    for item in value:
        code = item.strip().lower().replace("_", "-") if isinstance(item, str) else None
        if code not in known:
            raise DomainError(
                {
                    "languages": [
                        _("%(item)s is not one of the languages: %(known)s.")
                        % {"item": repr(item), "known": ", ".join(known)}
                    ]
                }
            )
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def clean_skills(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise DomainError({"skills": [_("Expected a list of tags.")]})
    cleaned: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise DomainError({"skills": [_("Skills must be strings.")]})
        tag = " ".join(item.strip().lower().split())
        if not tag:
            continue
        if len(tag) > MAX_SKILL_LENGTH:
            raise DomainError(
                {
                    "skills": [
                        _("Use at most %(max_skill_length)s characters a skill.")
                        % {"max_skill_length": MAX_SKILL_LENGTH}
                    ]
                }
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_SKILLS:
        raise DomainError(
            {"skills": [_("At most %(max_skills)s skills.") % {"max_skills": MAX_SKILLS}]}
        )
    return cleaned


def clean_capacity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError({"capacity": [_("Capacity is a whole number, 0 (no limit) or more.")]})
    if value > 100_000:
        raise DomainError({"capacity": [_("Capacity is at most 100000.")]})
    return value


def clean_working_hours(value: Any) -> dict | None:
    if value in (None, {}):
        return None
    if not isinstance(value, Mapping):
        raise DomainError({"working_hours": [_("Expected an object like SLA business_hours.")]})
    for validator in _validators.values():
        errors = validator(value)
        if errors:
            messages = [f"{key}: {' '.join(texts)}" for key, texts in errors.items()]
            raise DomainError({"working_hours": messages})
    return dict(value)


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value)
        except ValueError:
            return None
    else:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC)


def clean_out_of_office(value: Any) -> list[dict[str, str]]:
    """A list of ``{start, end}`` periods (aware ISO datetimes, end after start), sorted."""
    if not isinstance(value, list | tuple):
        raise DomainError({"out_of_office": [_("Expected a list of {start, end} periods.")]})
    if len(value) > MAX_ABSENCES:
        raise DomainError(
            {
                "out_of_office": [
                    _("At most %(max_absences)s periods.") % {"max_absences": MAX_ABSENCES}
                ]
            }
        )
    periods = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) - {"start", "end"}:
            raise DomainError(
                {
                    "out_of_office": [
                        _("Item %(value)s: expected {start, end}.") % {"value": index + 1}
                    ]
                }
            )
        start, end = _moment(item.get("start")), _moment(item.get("end"))
        if start is None or end is None:
            message = f"Item {index + 1}: start and end are ISO 8601 times with a time zone."
            raise DomainError({"out_of_office": [message]})
        if end <= start:
            raise DomainError(
                {
                    "out_of_office": [
                        _("Item %(value)s: end must be after start.") % {"value": index + 1}
                    ]
                }
            )
        periods.append((start, end))
    return [{"start": _iso(start), "end": _iso(end)} for start, end in sorted(periods)]


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def absent_at(periods: Iterable[Mapping[str, str]], at: dt.datetime) -> bool:
    """Whether `at` falls inside one of the (cleaned) out-of-office periods."""
    for period in periods or ():
        start, end = _moment(period.get("start")), _moment(period.get("end"))
        if start is not None and end is not None and start <= at < end:
            return True
    return False
