"""Validation of SLA profile input: one function the API, the admin and provisioning share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from panel1.accounts.models import STAFF_ROLES, User
from panel1.exceptions import DomainError
from panel1.ids import parse_uuid
from sla.calculation import parse_month_day, yearly_dates
from sla.clock import WEEKDAYS, BusinessCalendar, CalendarError, validate_business_hours
from sla.models import SlaProfile
from tickets.models import Category, Priority

# Five years of minutes: far beyond any real target, small enough to stay a sane number.
MAX_MINUTES = 5 * 366 * 24 * 60
MAX_RULES = 20
MAX_HOLIDAYS = 1000
MAX_RECURRING = 100
RULE_KEYS = ("after_minutes", "notify_user_ids", "assign_to_id", "change_priority")


def _minutes(value: Any, *, optional: bool = False) -> tuple[int | None, list[str]]:
    if value is None and optional:
        return None, []
    if isinstance(value, bool) or not isinstance(value, int):
        return None, ["Give a whole number of business minutes."]
    if value < 0:
        return None, ["Must not be negative."]
    if value > MAX_MINUTES:
        return None, [f"Must be at most {MAX_MINUTES} minutes."]
    return value, []


def _business_hours(value: Any) -> tuple[dict, list[str]]:
    if value in (None, ""):
        return {}, []
    problems = validate_business_hours(value)
    if problems:
        return {}, [
            f"{key}: {message}" for key, messages in problems.items() for message in messages
        ]
    hours = dict(value)
    if "holidays" in hours:
        return {}, ["holidays: list holidays in the profile's holidays field."]
    if any(day in hours for day in WEEKDAYS) and "timezone" not in hours:
        return {}, ["timezone: give an IANA time zone such as 'Europe/Berlin'."]
    return hours, []


def _holidays(value: Any) -> tuple[list[dt.date], list[str]]:
    if value in (None, ""):
        return [], []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [], ["Expected a list of dates in YYYY-MM-DD format."]
    days, errors = set(), []
    for position, item in enumerate(value, start=1):
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            days.add(item)
            continue
        try:
            days.add(dt.date.fromisoformat(item))
        except (TypeError, ValueError):
            errors.append(
                _("Item %(position)s (%(item)s) is not a date in YYYY-MM-DD format.")
                % {"position": position, "item": repr(item)}
            )
    if len(days) > MAX_HOLIDAYS:
        errors.append(_("At most %(max_holidays)s holidays.") % {"max_holidays": MAX_HOLIDAYS})
    return sorted(days), errors


def _recurring_holidays(value: Any) -> tuple[list[str], list[str]]:
    if value in (None, ""):
        return [], []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [], ['Expected a list of days in "MM-DD" format.']
    days, errors = set(), []
    for position, item in enumerate(value, start=1):
        day = parse_month_day(item)
        if day is None:
            errors.append(
                _('Item %(position)s (%(item)s) is not a day in "MM-DD" format.')
                % {"position": position, "item": repr(item)}
            )
        else:
            days.add(day)
    if len(days) > MAX_RECURRING:
        errors.append(
            _("At most %(max_recurring)s yearly holidays.") % {"max_recurring": MAX_RECURRING}
        )
    return sorted(days), errors


def _priorities(value: Any) -> tuple[list[str], list[str]]:
    if value in (None, ""):
        return [], []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [], ["Expected a list of priorities."]
    cleaned, errors = [], []
    for item in value:
        if item not in Priority.values:
            errors.append(
                _("%(item)s is not a priority (%(priority_values)s).")
                % {"item": repr(item), "priority_values": ", ".join(Priority.values)}
            )
        elif item not in cleaned:
            cleaned.append(item)
    return cleaned, errors


def _user_ids(value: Any) -> tuple[list[str], list[str]]:
    """Parse a list of staff user ids; returns (ids, problems)."""
    if value is None:
        return [], []
    if isinstance(value, str) or not isinstance(value, list):
        return [], ["notify_user_ids must be a list of user ids."]
    ids, problems = [], []
    for item in value:
        user_id = parse_uuid(item)
        if user_id is None:
            problems.append(_("%(item)s is not a user id.") % {"item": repr(item)})
        else:
            ids.append(str(user_id))
    return list(dict.fromkeys(ids)), problems


def _mentioned(rule: Mapping) -> list[str]:
    ids = rule.get("notify_user_ids")
    ids = list(ids) if isinstance(ids, list) else []
    if rule.get("assign_to_id") is not None:
        ids.append(rule["assign_to_id"])
    return [str(user_id) for item in ids if (user_id := parse_uuid(item))]


def _rule(position: int, rule: Any, staff: dict[str, User]) -> tuple[dict, list[str]]:
    label = f"Rule {position}"
    if not isinstance(rule, Mapping):
        return {}, [f"{label}: expected an object with {', '.join(RULE_KEYS)}."]
    errors = [f"{label}: unknown field {key!r}." for key in rule if key not in RULE_KEYS]
    after, problems = _minutes(rule.get("after_minutes"))
    errors += [f"{label}: after_minutes: {p}" for p in problems]
    notify, problems = _user_ids(rule.get("notify_user_ids"))
    errors += [f"{label}: {p}" for p in problems]
    errors += [f"{label}: {uid} is not an active staff user." for uid in notify if uid not in staff]
    assign = rule.get("assign_to_id")
    if assign is not None:
        assign_ids, problems = _user_ids([assign])
        errors += [f"{label}: assign_to_id: {p}" for p in problems]
        assign = assign_ids[0] if assign_ids else None
        if assign is not None and assign not in staff:
            errors.append(
                _("%(label)s: assign_to_id: %(assign)s is not an active staff user.")
                % {"label": label, "assign": assign}
            )
    priority = rule.get("change_priority")
    if priority is not None and priority not in Priority.values:
        errors.append(
            _("%(label)s: change_priority: %(priority)s is not a priority.")
            % {"label": label, "priority": repr(priority)}
        )
    cleaned = {
        "after_minutes": after,
        "notify_user_ids": notify,
        "assign_to_id": assign,
        "change_priority": priority,
    }
    return cleaned, errors


def _escalation_rules(value: Any) -> tuple[list[dict], list[str]]:
    if value in (None, ""):
        return [], []
    if not isinstance(value, list):
        return [], ["Expected a list of rules."]
    if len(value) > MAX_RULES:
        return [], [f"At most {MAX_RULES} rules."]
    wanted = {str(uid) for rule in value if isinstance(rule, Mapping) for uid in _mentioned(rule)}
    staff = {
        str(user.pk): user
        for user in User.objects.filter(is_active=True, role__in=STAFF_ROLES, pk__in=wanted)
    }
    rules, errors = [], []
    for position, rule in enumerate(value, start=1):
        cleaned, problems = _rule(position, rule, staff)
        rules.append(cleaned)
        errors += problems
    return rules, errors


def _name(value: Any, *, profile: SlaProfile | None) -> tuple[str, list[str]]:
    name = " ".join(str(value or "").split())
    if not name:
        return "", ["A name is required."]
    if len(name) > 100:
        return "", ["Use at most 100 characters."]
    clash = SlaProfile.objects.filter(name__iexact=name)
    if profile is not None:
        clash = clash.exclude(pk=profile.pk)
    if clash.exists():
        return "", [f"A profile named {name!r} exists already."]
    return name, []


def _categories(value: Any) -> tuple[list[Category], list[str]]:
    if value in (None, ""):
        return [], []
    items = list(value)
    if all(isinstance(item, Category) for item in items):
        return items, []
    ids, problems = [], []
    for item in items:
        category_id = parse_uuid(getattr(item, "pk", item))
        if category_id is None:
            problems.append(_("%(item)s is not a category id.") % {"item": repr(item)})
        else:
            ids.append(category_id)
    found = {c.pk: c for c in Category.objects.filter(pk__in=ids)}
    problems += [f"No category {pk}." for pk in ids if pk not in found]
    return [found[pk] for pk in ids if pk in found], problems


_CLEANERS = {
    "first_response_time": lambda v, _unused: _minutes(v),
    "next_response_time": lambda v, _unused: _minutes(v, optional=True),
    "resolution_time": lambda v, _unused: _minutes(v),
    "business_hours": lambda v, _unused: _business_hours(v),
    "holidays": lambda v, _unused: _holidays(v),
    "recurring_holidays": lambda v, _unused: _recurring_holidays(v),
    "priorities": lambda v, _unused: _priorities(v),
    "categories": lambda v, _unused: _categories(v),
    "escalation_rules": lambda v, _unused: _escalation_rules(v),
    "name": lambda v, profile: _name(v, profile=profile),
    "description": lambda v, _unused: (str(v or "").strip(), []),
    "is_default": lambda v, _unused: (v, [] if isinstance(v, bool) else ["Must be true or false."]),
}
REQUIRED = ("name", "first_response_time", "resolution_time")


def sla_profile_clean(fields: Mapping[str, Any], *, profile: SlaProfile | None = None) -> dict:
    """Return `fields` cleaned, or raise DomainError naming every bad field (a 400).

    `profile` is the profile being edited (None when creating; then the required fields must
    be present). Business hours and holidays must also make a calendar with business time.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in _CLEANERS:
            errors[key] = [_("Unknown field.")]
            continue
        cleaned[key], problems = _CLEANERS[key](value, profile)
        if problems:
            errors[key] = problems
    if profile is None:
        for key in REQUIRED:
            if key not in fields:
                errors.setdefault(key, ["This field is required."])
    if not any(errors.get(key) for key in ("business_hours", "holidays", "recurring_holidays")):
        _check_calendar(cleaned, profile, errors)
    if errors:
        raise DomainError(errors)
    return cleaned


def _check_calendar(cleaned: dict, profile: SlaProfile | None, errors: dict) -> None:
    hours = cleaned.get("business_hours", profile.business_hours if profile else {})
    holidays = cleaned.get("holidays", profile.holidays if profile else [])
    recurring = cleaned.get("recurring_holidays", profile.recurring_holidays if profile else [])
    try:
        BusinessCalendar.from_config(hours or None, [*holidays, *yearly_dates(recurring)])
    except CalendarError as exc:
        errors.setdefault("business_hours", []).append(str(exc))
