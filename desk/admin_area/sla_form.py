"""The SLA profile screen's form: a POST of grid fields <-> the service's profile fields.

No JSON reaches the user: business hours are a weekday grid, holidays rows of a date and a
"every year" box, targets hours + minutes, escalation rules rows with agent pickers. The
shape is checked here (numbers are numbers); every business rule is checked by
`sla.services.sla_profile_clean`, whose errors are mapped back onto the screen's fields.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from panel1.ids import parse_uuid
from sla.calculation import parse_month_day
from sla.clock import WEEKDAYS
from sla.models import SlaProfile
from tickets.models import Priority

TARGETS = (
    ("first_response_time", "First response", True),
    ("next_response_time", "Next response (after each customer reply)", False),
    ("resolution_time", "Resolution", True),
)
DEFAULT_START, DEFAULT_END = "09:00", "17:00"
SPARE_HOLIDAYS, SPARE_RULES = 3, 2
MAX_ROWS = 200


@lru_cache(maxsize=1)
def timezone_choices() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def _split_minutes(total: int | None) -> dict:
    if total is None:
        return {"hours": "", "minutes": ""}
    return {"hours": str(total // 60), "minutes": str(total % 60)}


def state_from_profile(profile: SlaProfile | None) -> dict[str, Any]:
    """What the form shows for a stored profile (or the defaults for a new one)."""
    if profile is None:
        hours = {}
        state = {
            "name": "",
            "description": "",
            "is_default": False,
            "targets": {
                "first_response_time": _split_minutes(240),
                "next_response_time": _split_minutes(None),
                "resolution_time": _split_minutes(2400),
            },
            "always_open": False,
            "timezone": "UTC",
            "holidays": [],
            "priorities": [],
            "categories": [],
            "rules": [],
        }
        weekdays = {day: index < 5 for index, day in enumerate(WEEKDAYS)}
        state["days"] = [_day(day, {"enabled": on}) for day, on in weekdays.items()]
        return state
    hours = profile.business_hours or {}
    holidays = [{"date": day.isoformat(), "yearly": False} for day in profile.holidays]
    holidays += [
        {"date": f"{dt.date.today().year}-{md}", "yearly": True}
        for md in profile.recurring_holidays
    ]
    return {
        "name": profile.name,
        "description": profile.description,
        "is_default": profile.is_default,
        "targets": {
            key: _split_minutes(getattr(profile, key)) for key, _unused, _unused in TARGETS
        },
        "always_open": not hours,
        "timezone": hours.get("timezone", "UTC"),
        "days": [_day(day, hours.get(day) or {"enabled": False}) for day in WEEKDAYS],
        "holidays": sorted(holidays, key=lambda h: h["date"][5:] if h["yearly"] else h["date"]),
        "priorities": list(profile.priorities),
        "categories": [str(c.pk) for c in profile.categories.all()],
        "rules": [_rule_state(rule) for rule in profile.escalation_rules],
    }


def _day(day: str, config: dict) -> dict:
    return {
        "key": day,
        "label": day.capitalize(),
        "enabled": bool(config.get("enabled", True)) and config != {},
        "start": config.get("start") or DEFAULT_START,
        "end": config.get("end") or DEFAULT_END,
    }


def _rule_state(rule: dict) -> dict:
    split = _split_minutes(rule.get("after_minutes"))
    return {
        "after_hours": split["hours"],
        "after_minutes": split["minutes"],
        "notify": [str(uid) for uid in rule.get("notify_user_ids") or []],
        "assign": str(rule.get("assign_to_id") or ""),
        "priority": rule.get("change_priority") or "",
    }


def with_spare_rows(state: dict) -> dict:
    """Add blank holiday and rule rows, so the form works without JavaScript."""
    blank_rule = {
        "after_hours": "",
        "after_minutes": "",
        "notify": [],
        "assign": "",
        "priority": "",
    }
    return {
        **state,
        "holiday_rows": state["holidays"] + [{"date": "", "yearly": False}] * SPARE_HOLIDAYS,
        "rule_rows": state["rules"] + [blank_rule] * SPARE_RULES,
    }


def _int(text: str, label: str, errors: list[str]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors.append(_("%(label)s: give a whole number.") % {"label": label})
        return None
    if value < 0:
        errors.append(_("%(label)s: must not be negative.") % {"label": label})
        return None
    return value


def _minutes_of(hours_text: str, minutes_text: str, errors: list[str]) -> int | None:
    problems: list[str] = []
    hours = _int(hours_text, "Hours", problems)
    minutes = _int(minutes_text, "Minutes", problems)
    if minutes is not None and minutes > 59 and hours:
        problems.append(_("Minutes: use 0–59 beside hours."))
    errors += problems
    if problems or (hours is None and minutes is None):
        return None
    return (hours or 0) * 60 + (minutes or 0)


def _indexes(post, prefix: str) -> list[int]:
    found = set()
    for key in post:
        if key.startswith(prefix):
            head = key[len(prefix) :].split("-", 1)[0]
            if head.isdigit() and int(head) < MAX_ROWS:
                found.add(int(head))
    return sorted(found)


def parse_post(post) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """Return (state to show again, service fields, shape errors by screen field)."""
    errors: dict[str, list[str]] = {}
    state: dict[str, Any] = {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "is_default": bool(post.get("is_default")),
        "always_open": bool(post.get("always_open")),
        "timezone": post.get("timezone", "UTC"),
        "priorities": post.getlist("priorities"),
        "categories": post.getlist("categories"),
    }
    fields: dict[str, Any] = {
        "name": state["name"],
        "description": state["description"],
        "is_default": state["is_default"],
        "priorities": state["priorities"],
    }
    state["targets"] = {}
    for key, _label, required in TARGETS:
        hours, minutes = post.get(f"{key}_hours", ""), post.get(f"{key}_minutes", "")
        state["targets"][key] = {"hours": hours, "minutes": minutes}
        problems: list[str] = []
        total = _minutes_of(hours, minutes, problems)
        if problems:
            errors[key] = problems
        elif total is None and required:
            errors[key] = [_("Give a target in hours and minutes.")]
        else:
            fields[key] = total
    _parse_hours(post, state, fields)
    _parse_holidays(post, state, fields, errors)
    _parse_categories(state, fields, errors)
    _parse_rules(post, state, fields, errors)
    return state, fields, errors


def _parse_hours(post, state: dict, fields: dict) -> None:
    state["days"] = []
    for day in WEEKDAYS:
        state["days"].append(
            {
                "key": day,
                "label": day.capitalize(),
                "enabled": bool(post.get(f"{day}_enabled")),
                "start": post.get(f"{day}_start", "") or DEFAULT_START,
                "end": post.get(f"{day}_end", "") or DEFAULT_END,
            }
        )
    if state["always_open"]:
        fields["business_hours"] = {}
        return
    hours: dict[str, Any] = {"timezone": state["timezone"]}
    for row in state["days"]:
        hours[row["key"]] = (
            {"start": row["start"], "end": row["end"], "enabled": True}
            if row["enabled"]
            else {"enabled": False}
        )
    fields["business_hours"] = hours


def _parse_holidays(post, state: dict, fields: dict, errors: dict) -> None:
    rows, dates, yearly, problems = [], [], [], []
    for index in _indexes(post, "holiday-"):
        text = post.get(f"holiday-{index}-date", "").strip()
        every_year = bool(post.get(f"holiday-{index}-yearly"))
        if not text:
            continue
        rows.append({"date": text, "yearly": every_year})
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            # A browser without a date picker may send "MM-DD" for a yearly holiday.
            month_day = parse_month_day(text) if every_year else None
            if month_day:
                yearly.append(month_day)
            else:
                problems.append(_("%(text)s is not a date (YYYY-MM-DD).") % {"text": repr(text)})
            continue
        if every_year:
            yearly.append(day.strftime("%m-%d"))
        else:
            dates.append(day.isoformat())
    state["holidays"] = rows
    if problems:
        errors["holidays"] = problems
    fields["holidays"] = dates
    fields["recurring_holidays"] = yearly


def _parse_categories(state: dict, fields: dict, errors: dict) -> None:
    ids = [parse_uuid(value) for value in state["categories"]]
    if any(value is None for value in ids):
        errors["categories"] = [_("Pick categories from the list.")]
        return
    fields["categories"] = [str(value) for value in ids]


def _parse_rules(post, state: dict, fields: dict, errors: dict) -> None:
    rules, rows = [], []
    for index in _indexes(post, "rule-"):
        prefix = f"rule-{index}-"
        row = {
            "after_hours": post.get(prefix + "after_hours", ""),
            "after_minutes": post.get(prefix + "after_minutes", ""),
            "notify": post.getlist(prefix + "notify"),
            "assign": post.get(prefix + "assign", ""),
            "priority": post.get(prefix + "priority", ""),
        }
        if post.get(prefix + "remove") or not any(row.values()):
            continue
        rows.append(row)
        problems: list[str] = []
        after = _minutes_of(row["after_hours"], row["after_minutes"], problems)
        if after is None and not problems:
            problems.append(_("say after how long the rule applies."))
        if problems:
            position = len(rows)
            errors.setdefault("escalation_rules", []).extend(
                f"Rule {position}: {problem}" for problem in problems
            )
            continue
        rules.append(
            {
                "after_minutes": after,
                "notify_user_ids": row["notify"],
                "assign_to_id": row["assign"] or None,
                "change_priority": row["priority"] or None,
            }
        )
    state["rules"] = rows
    fields["escalation_rules"] = rules


def screen_errors(
    errors: dict[str, list[str]], *, names: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """The service's error keys mapped to the screen's fields (non-field errors kept), with
    user ids in messages replaced by the people's names."""
    shown: dict[str, list[str]] = {}
    for key, messages in errors.items():
        target = key if key != "recurring_holidays" else "holidays"
        for message in messages:
            text = str(message)
            for user_id, name in (names or {}).items():
                text = text.replace(user_id, name)
            shown.setdefault(target, []).append(text)
    return shown


PRIORITY_CHOICES = Priority.choices
