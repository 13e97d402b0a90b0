"""Automation rule conditions: the field registry, validation and evaluation.

A rule's conditions are a list of ``{"field", "operator", "value"}`` leaves that must all
hold, or ``{"all": [...]}`` / ``{"any": [...]}`` groups nested anywhere. The registry
below is the single description of what a condition may read: the API validates
against it, the rule builder and the docs render it, and the engine evaluates with it.

Plain Python on purpose (no Django): the engine builds the context mapping from a
ticket, and everything here is a pure function of (conditions, context).

String comparisons (``equals``, ``contains``, ``in``, ``matches``) ignore case, as do tag
comparisons; enum, uuid, number and boolean comparisons are exact.
"""

from __future__ import annotations

import enum
import functools
import logging
import math
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import regex

logger = logging.getLogger(__name__)

Errors = dict[str, list[str]]

MAX_DEPTH = 5
MAX_CONDITIONS = 50
MAX_PATTERN_LENGTH = 200
MAX_REPEAT_COUNT = 1000
MAX_MATCH_INPUT = 10_000
MATCH_TIMEOUT = 0.05  # seconds per `matches` leaf; a timeout counts as no match
MAX_VALUE_LENGTH = 1000
MAX_LIST_VALUES = 100
MAX_EXPLAIN_LENGTH = 500

STATUSES = ("OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD", "RESOLVED", "CLOSED")
PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")  # ascending: gt/lt compare by position
CHANNELS = ("WEB", "EMAIL", "API", "PORTAL")
MESSAGE_TYPES = ("CUSTOMER_REPLY", "STAFF_REPLY", "INTERNAL_NOTE", "SYSTEM")


class RuleValidationError(Exception):
    """A rule definition is invalid; ``errors`` maps a path to the bad part to messages.

    Paths look like ``conditions[1].any[0].operator`` or ``actions[0].parameters.status``
    so the API can answer 400 naming exactly what to fix.
    """

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = {path: list(messages) for path, messages in errors.items()}
        summary = "; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in self.errors.items())
        super().__init__(summary or "Invalid rule.")


class FieldType(enum.StrEnum):
    STRING = "string"
    ENUM = "enum"
    UUID = "uuid"
    LIST = "list"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"


OPERATORS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_set",
    "is_not_set",
    "matches",
)

OPERATOR_DESCRIPTIONS: dict[str, str] = {
    "equals": "Is equal to the value (strings ignore case).",
    "not_equals": "Is not equal to the value; exactly the negation of equals.",
    "contains": "Strings: contains the value as a substring, ignoring case. "
    "Lists: has the value as an element, ignoring case.",
    "not_contains": "Exactly the negation of contains.",
    "in": "Is one of the listed values. Lists: has at least one of the listed values.",
    "not_in": "Exactly the negation of in.",
    "gt": "Is greater than the value (priorities: LOW < MEDIUM < HIGH < URGENT).",
    "gte": "Is greater than or equal to the value.",
    "lt": "Is less than the value.",
    "lte": "Is less than or equal to the value.",
    "is_set": "Has a value: not null, not blank, not an empty list. Takes no value.",
    "is_not_set": "Exactly the negation of is_set. Takes no value.",
    "matches": f"Matches the regular expression (searched, ignoring case, in the first "
    f"{MAX_MATCH_INPUT} characters; at most {MAX_PATTERN_LENGTH} characters, no nested "
    f"quantifiers; a match that takes over {MATCH_TIMEOUT}s counts as no match).",
}

# Each negative operator is evaluated as `not <positive>`, whatever the context holds.
NEGATIONS = {
    "not_equals": "equals",
    "not_contains": "contains",
    "not_in": "in",
    "is_not_set": "is_set",
}
NO_VALUE_OPERATORS = frozenset({"is_set", "is_not_set"})
LIST_VALUE_OPERATORS = frozenset({"in", "not_in"})
ORDER_OPERATORS = ("gt", "gte", "lt", "lte")
SET_OPERATORS = ("is_set", "is_not_set")

_TYPE_OPERATORS: dict[FieldType, tuple[str, ...]] = {
    FieldType.STRING: (
        "equals",
        "not_equals",
        "contains",
        "not_contains",
        "in",
        "not_in",
        "matches",
        *SET_OPERATORS,
    ),
    FieldType.ENUM: ("equals", "not_equals", "in", "not_in"),
    FieldType.UUID: ("equals", "not_equals", "in", "not_in"),
    FieldType.LIST: ("contains", "not_contains", "in", "not_in", *SET_OPERATORS),
    FieldType.INTEGER: ("equals", "not_equals", "in", "not_in", *ORDER_OPERATORS),
    FieldType.NUMBER: ORDER_OPERATORS,
    FieldType.BOOLEAN: ("equals", "not_equals"),
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    description: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    ordered: bool = False  # enum choices are listed in ascending order

    @property
    def operators(self) -> tuple[str, ...]:
        allowed = set(_TYPE_OPERATORS[self.type])
        if self.ordered:
            allowed.update(ORDER_OPERATORS)
        if self.nullable:
            allowed.update(SET_OPERATORS)
        return tuple(op for op in OPERATORS if op in allowed)


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in specs}


FIELDS: dict[str, FieldSpec] = _fields(
    FieldSpec("subject", FieldType.STRING, "The ticket's subject."),
    FieldSpec(
        "message_content",
        FieldType.STRING,
        "Text of the message that triggered the rule; empty for events without a message.",
    ),
    FieldSpec("status", FieldType.ENUM, "The ticket's status.", choices=STATUSES),
    FieldSpec(
        "priority",
        FieldType.ENUM,
        "The ticket's priority; ordered LOW < MEDIUM < HIGH < URGENT.",
        choices=PRIORITIES,
        ordered=True,
    ),
    FieldSpec("category", FieldType.UUID, "Id of the ticket's category.", nullable=True),
    FieldSpec(
        "category_name",
        FieldType.STRING,
        "Name of the ticket's category; empty when it has none.",
    ),
    FieldSpec("tags", FieldType.LIST, "The ticket's tags."),
    FieldSpec("channel", FieldType.ENUM, "Where the ticket came from.", choices=CHANNELS),
    FieldSpec("requester_email", FieldType.STRING, "Email address of the requester."),
    FieldSpec(
        "requester_domain",
        FieldType.STRING,
        "Domain of the requester's email address, e.g. example.com.",
    ),
    FieldSpec("assignee", FieldType.UUID, "Id of the assigned staff user.", nullable=True),
    FieldSpec(
        "escalation_level",
        FieldType.INTEGER,
        "How many times the ticket has been escalated (0 = never).",
    ),
    FieldSpec(
        "hours_since_created",
        FieldType.NUMBER,
        "Hours (wall-clock, fractional) since the ticket was created.",
    ),
    FieldSpec(
        "business_hours_now",
        FieldType.BOOLEAN,
        "Whether it is now within the business hours of the ticket's SLA profile.",
    ),
    FieldSpec(
        "message_type",
        FieldType.ENUM,
        "Type of the message that triggered the rule; null for events without a message.",
        choices=MESSAGE_TYPES,
        nullable=True,
    ),
    FieldSpec(
        "satisfaction_score",
        FieldType.NUMBER,
        "Mean of the answered survey questions (1-5); set on survey.completed, else null.",
        nullable=True,
    ),
    *(
        FieldSpec(
            f"satisfaction_{question}",
            FieldType.INTEGER,
            f"The survey's {question.replace('_', ' ')} score (1-5); set on survey.completed "
            "when answered, else null.",
            nullable=True,
        )
        for question in ("response_time", "solution", "team")
    ),
)


def field_registry_doc() -> list[dict[str, Any]]:
    """Describe every condition field for the rule builder UI and the API docs."""
    return [
        {
            "name": spec.name,
            "type": str(spec.type),
            "operators": list(spec.operators),
            "choices": list(spec.choices) if spec.choices else None,
            "nullable": spec.nullable,
            "description": spec.description,
        }
        for spec in FIELDS.values()
    ]


def operator_registry_doc() -> list[dict[str, Any]]:
    """Describe every operator (name, whether it takes a value, meaning)."""
    return [
        {
            "name": op,
            "takes_value": op not in NO_VALUE_OPERATORS,
            "value_is_list": op in LIST_VALUE_OPERATORS,
            "description": OPERATOR_DESCRIPTIONS[op],
        }
        for op in OPERATORS
    ]


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------

_GROUP_KEYS = ("all", "any")
_LEAF_KEYS = frozenset({"field", "operator", "value"})
_NODE_HELP = (
    'Expected a condition {field, operator, value} or a group {"all": [...]} / {"any": [...]}.'
)


def validate_conditions(conditions: Any) -> None:
    """Check a rule's conditions against the registry; raise RuleValidationError if bad.

    Accepts a list of conditions/groups (all must hold) or a single group. Every error
    is collected, keyed by its path (``conditions[1].any[0].operator``).
    """
    path = "conditions"
    if not isinstance(conditions, list | dict):
        raise RuleValidationError({path: ["Must be a list of conditions or a group."]})
    if _count_leaves(conditions, depth=0) > MAX_CONDITIONS:
        raise RuleValidationError({path: [f"At most {MAX_CONDITIONS} conditions are allowed."]})
    errors: Errors = {}
    if isinstance(conditions, list):
        _validate_items(conditions, path, depth=0, errors=errors)
    else:
        _validate_node(conditions, path, depth=0, errors=errors)
    if errors:
        raise RuleValidationError(errors)


def _count_leaves(node: Any, *, depth: int) -> int:
    # Bounded by depth and stops early, so a hostile payload costs little before rejection.
    if depth > MAX_DEPTH + 1:
        return 0
    children: Any = None
    if isinstance(node, list):
        children = node
    elif isinstance(node, dict) and any(key in node for key in _GROUP_KEYS):
        children = node.get("all", node.get("any"))
        depth += 1
    else:
        return 1
    total = 0
    for child in children if isinstance(children, list) else ():
        total += _count_leaves(child, depth=depth)
        if total > MAX_CONDITIONS:
            break
    return total


def _validate_items(items: list[Any], path: str, *, depth: int, errors: Errors) -> None:
    for index, item in enumerate(items):
        _validate_node(item, f"{path}[{index}]", depth=depth, errors=errors)


def _validate_node(node: Any, path: str, *, depth: int, errors: Errors) -> None:
    if not isinstance(node, dict):
        errors[path] = [_NODE_HELP]
    elif any(key in node for key in _GROUP_KEYS):
        _validate_group(node, path, depth=depth + 1, errors=errors)
    else:
        _validate_leaf(node, path, errors=errors)


def _validate_group(group: dict, path: str, *, depth: int, errors: Errors) -> None:
    if len(group) != 1:
        errors[path] = ['A group has exactly one key: "all" or "any".']
        return
    if depth > MAX_DEPTH:
        errors[path] = [f"Groups may be nested at most {MAX_DEPTH} deep."]
        return
    key, items = next(iter(group.items()))
    if not isinstance(items, list):
        errors[f"{path}.{key}"] = ["Must be a list of conditions or groups."]
        return
    _validate_items(items, f"{path}.{key}", depth=depth, errors=errors)


def _validate_leaf(leaf: dict, path: str, *, errors: Errors) -> None:
    for key in leaf.keys() - _LEAF_KEYS:
        errors[f"{path}.{key}"] = ["Unknown key; a condition has field, operator and value."]
    field, operator = leaf.get("field"), leaf.get("operator")
    spec = FIELDS.get(field) if isinstance(field, str) else None
    if field is None:
        errors[f"{path}.field"] = ["This key is required."]
    elif spec is None:
        errors[f"{path}.field"] = [f"Unknown field {field!r}."]
    if operator is None:
        errors[f"{path}.operator"] = ["This key is required."]
        return
    if not isinstance(operator, str) or operator not in OPERATORS:
        errors[f"{path}.operator"] = [f"Unknown operator {operator!r}."]
        return
    if spec is None:
        return
    if operator not in spec.operators:
        errors[f"{path}.operator"] = [
            f"Operator {operator!r} is not valid for field {spec.name!r} ({spec.type}); "
            f"use one of: {', '.join(spec.operators)}."
        ]
        return
    for suffix, message in _value_errors(spec, operator, leaf.get("value")):
        errors.setdefault(f"{path}.value{suffix}", []).append(message)


def _value_errors(spec: FieldSpec, operator: str, value: Any) -> Iterator[tuple[str, str]]:
    if operator in NO_VALUE_OPERATORS:
        if value is not None:
            yield "", f"Operator {operator!r} takes no value; omit it or send null."
    elif value is None:
        yield "", f"Operator {operator!r} needs a value."
    elif operator in LIST_VALUE_OPERATORS:
        yield from _list_value_errors(spec, value)
    elif operator == "matches":
        if (message := pattern_error(value)) is not None:
            yield "", message
    elif (message := _scalar_error(spec, value)) is not None:
        yield "", message


def _list_value_errors(spec: FieldSpec, value: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, list) or not value:
        yield "", "Must be a non-empty list of values."
        return
    if len(value) > MAX_LIST_VALUES:
        yield "", f"At most {MAX_LIST_VALUES} values are allowed."
        return
    for index, item in enumerate(value):
        if (message := _scalar_error(spec, item)) is not None:
            yield f"[{index}]", message


def _scalar_error(spec: FieldSpec, value: Any) -> str | None:
    """Say what is wrong with one comparison value for the field, or None if fine."""
    match spec.type:
        case FieldType.STRING | FieldType.LIST:
            if not isinstance(value, str) or not value:
                return "Must be a non-empty string."
            if len(value) > MAX_VALUE_LENGTH:
                return f"At most {MAX_VALUE_LENGTH} characters."
        case FieldType.ENUM:
            if not isinstance(value, str) or value not in spec.choices:
                return f"Must be one of: {', '.join(spec.choices)}."
        case FieldType.UUID:
            if _parse_uuid(value) is None:
                return "Must be a UUID string."
        case FieldType.INTEGER:
            if not isinstance(value, int) or isinstance(value, bool):
                return "Must be an integer."
        case FieldType.NUMBER:
            if not _is_number(value):
                return "Must be a finite number."
        case FieldType.BOOLEAN:
            if not isinstance(value, bool):
                return "Must be true or false."
    return None


def _parse_uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def pattern_error(pattern: Any) -> str | None:
    """Say why a `matches` pattern is refused, or None if it may be stored."""
    if not isinstance(pattern, str) or not pattern:
        return "Must be a non-empty regular expression."
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"A pattern has at most {MAX_PATTERN_LENGTH} characters."
    # Scanned before compiling: compiling e.g. (?:a{1000}){1000} alone takes a while.
    if (message := _pattern_risk(pattern)) is not None:
        return message
    try:
        _compile(pattern)
    except regex.error as exc:
        return f"Invalid regular expression: {exc}."
    return None


_REPEAT_RE = regex.compile(r"\{(?=[\d,])(\d*)(,?)(\d*)\}")


def _pattern_risk(pattern: str) -> str | None:
    """Find nested quantifiers (``(a+)+``, ``(?:\\d*x)*``, ``a{2}*``) and huge repeat counts.

    Each open group records whether it contains a repeating quantifier; a repeating
    quantifier applied to such a group (or directly to another quantifier) is what makes
    backtracking exponential. Conservative on purpose: atomic/possessive forms are refused
    too. The match timeout backs this up for what a scanner cannot see, e.g. (a|aa)*.
    """
    stack = [False]  # per open group: does it contain a repeating quantifier?
    previous = "none"  # what the last token was: none, atom, repeated (group), repeat, quantifier
    index = 0
    while index < len(pattern):
        char, token_end = pattern[index], index + 1
        repeat_match = _REPEAT_RE.match(pattern, index) if char == "{" else None
        if char in "*+?" or repeat_match:
            if previous in ("repeat", "quantifier") and char in "+?":
                previous = "modifier"  # lazy or possessive form of the previous quantifier
            else:
                repeats, token_end = _quantifier_repeats(char, repeat_match, index)
                if repeats is None:
                    return f"Repeat counts above {MAX_REPEAT_COUNT} are not allowed."
                if repeats and previous in ("repeated", "repeat"):
                    return (
                        "Nested quantifiers such as (a+)+ can take exponential time; "
                        "rewrite the pattern without repeating a repeated group."
                    )
                stack[-1] = stack[-1] or repeats
                previous = "repeat" if repeats else "quantifier"
        elif char == "(":
            stack.append(False)
            previous = "none"
        elif char == ")" and len(stack) > 1:
            inner = stack.pop()
            stack[-1] = stack[-1] or inner
            previous = "repeated" if inner else "atom"
        else:
            if char == "\\":
                token_end = index + 2
            elif char == "[":
                token_end = _class_end(pattern, index)
            previous = "none" if char == "|" else "atom"
        index = token_end
    return None


def _quantifier_repeats(
    char: str, repeat_match: regex.Match | None, index: int
) -> tuple[bool | None, int]:
    """(Does the quantifier repeat more than once, its end); None if a count is too big."""
    if repeat_match is None:
        return char != "?", index + 1
    low, comma, high = repeat_match.groups()
    counts = [int(n) for n in (low, high) if n]
    if any(n > MAX_REPEAT_COUNT for n in counts):
        return None, repeat_match.end()
    return bool(comma and not high) or any(n > 1 for n in counts), repeat_match.end()


def _class_end(pattern: str, start: int) -> int:
    """Index just past the character class opening at ``start`` (``]`` first is literal)."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern):
        if pattern[index] == "\\":
            index += 2
            continue
        if pattern[index] == "]":
            return index + 1
        index += 1
    return len(pattern)


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> regex.Pattern:
    return regex.compile(pattern, regex.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------


def evaluate_conditions(conditions: Any, context: Mapping[str, Any]) -> bool:
    """Answer whether the conditions hold for ``context`` (field name -> value).

    Validates first and raises RuleValidationError, so a stored rule that no longer
    validates never silently matches. A field missing from the context counts as null.
    ``[]`` holds always; ``{"any": []}`` never.
    """
    validate_conditions(conditions)
    return _evaluate(conditions, context)


def explain_conditions(conditions: Any, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Evaluate every leaf (no short-circuit) and say why each holds or not, for dry runs.

    Each entry: path, field, operator, expected (the rule's value), actual (the context's
    value; long strings shortened), result.
    """
    validate_conditions(conditions)
    root = conditions if isinstance(conditions, list) else [conditions]
    prefix = "conditions" if isinstance(conditions, list) else None
    return [
        {
            "path": path,
            "field": leaf["field"],
            "operator": leaf["operator"],
            "expected": leaf.get("value"),
            "actual": _explain_value(context.get(leaf["field"])),
            "result": _evaluate_leaf(leaf, context),
        }
        for path, leaf in _leaves(root, prefix)
    ]


def _leaves(items: list[Any], prefix: str | None) -> Iterator[tuple[str, dict]]:
    for index, node in enumerate(items):
        path = f"{prefix}[{index}]" if prefix is not None else "conditions"
        key = next((k for k in _GROUP_KEYS if k in node), None)
        if key is None:
            yield path, node
        else:
            yield from _leaves(node[key], f"{path}.{key}")


def _explain_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and len(value) > MAX_EXPLAIN_LENGTH:
        return value[:MAX_EXPLAIN_LENGTH] + "…"
    if isinstance(value, list | tuple | set | frozenset):
        return [_explain_value(item) for item in value]
    return value


def _evaluate(node: Any, context: Mapping[str, Any]) -> bool:
    if isinstance(node, list):
        return all(_evaluate(child, context) for child in node)
    if "all" in node:
        return all(_evaluate(child, context) for child in node["all"])
    if "any" in node:
        return any(_evaluate(child, context) for child in node["any"])
    return _evaluate_leaf(node, context)


def _evaluate_leaf(leaf: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    spec = FIELDS[leaf["field"]]
    operator = leaf["operator"]
    actual = context.get(spec.name)
    if operator in NEGATIONS:
        return not _holds(spec, NEGATIONS[operator], actual, leaf.get("value"))
    return _holds(spec, operator, actual, leaf.get("value"))


def _holds(spec: FieldSpec, operator: str, actual: Any, expected: Any) -> bool:
    """Evaluate a positive operator; tolerant of any ``actual`` (wrong types -> False)."""
    match spec.type:
        case FieldType.STRING:
            return _string_holds(operator, actual, expected)
        case FieldType.ENUM:
            return _enum_holds(spec, operator, actual, expected)
        case FieldType.UUID:
            return _uuid_holds(operator, actual, expected)
        case FieldType.LIST:
            return _list_holds(operator, actual, expected)
        case FieldType.INTEGER | FieldType.NUMBER:
            return _number_holds(operator, actual, expected)
        case FieldType.BOOLEAN:
            return isinstance(actual, bool) and actual is expected
    return False


def _string_holds(operator: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    text = str(actual)
    match operator:
        case "equals":
            return text.casefold() == expected.casefold()
        case "contains":
            return expected.casefold() in text.casefold()
        case "in":
            return text.casefold() in {item.casefold() for item in expected}
        case "is_set":
            return bool(text.strip())
        case "matches":
            return _search(expected, text)
    return False


def _search(pattern: str, text: str) -> bool:
    try:
        return _compile(pattern).search(text[:MAX_MATCH_INPUT], timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        logger.warning("automation: pattern %r timed out; counted as no match", pattern)
        return False


def _enum_holds(spec: FieldSpec, operator: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    value = str(actual)  # TextChoices members stringify to their value
    match operator:
        case "equals":
            return value == expected
        case "in":
            return value in expected
        case "is_set":
            return bool(value)
    if operator in ORDER_OPERATORS and value in spec.choices:
        return _compare(operator, spec.choices.index(value), spec.choices.index(expected))
    return False


def _uuid_holds(operator: str, actual: Any, expected: Any) -> bool:
    if actual is None or actual == "":
        return False
    value = str(actual)
    value = _parse_uuid(value) or value.lower()
    match operator:
        case "equals":
            return value == _parse_uuid(expected)
        case "in":
            return value in {_parse_uuid(item) for item in expected}
        case "is_set":
            return True
    return False


def _list_holds(operator: str, actual: Any, expected: Any) -> bool:
    if isinstance(actual, list | tuple | set | frozenset):
        items = {str(item).casefold() for item in actual}
    else:
        items = set()
    match operator:
        case "contains":
            return expected.casefold() in items
        case "in":
            return not items.isdisjoint(item.casefold() for item in expected)
        case "is_set":
            return bool(items)
    return False


def _number_holds(operator: str, actual: Any, expected: Any) -> bool:
    if operator == "is_set":  # nullable numbers (the survey scores)
        return actual is not None
    if isinstance(actual, Decimal) and actual.is_finite():
        actual = float(actual)
    if not (_is_number(actual) or isinstance(actual, float) and math.isinf(actual)):
        return False
    match operator:
        case "equals":
            return actual == expected
        case "in":
            return actual in expected
    return _compare(operator, actual, expected)


def _compare(operator: str, left: float, right: float) -> bool:
    match operator:
        case "gt":
            return left > right
        case "gte":
            return left >= right
        case "lt":
            return left < right
        case "lte":
            return left <= right
    return False
