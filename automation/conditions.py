"""Automation rule conditions: validation and evaluation (registry: `condition_fields`).

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

import logging
import math
import uuid
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from automation.condition_fields import (
    CHANNELS,
    FIELDS,
    LIST_VALUE_OPERATORS,
    MATCH_TIMEOUT,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_EXPLAIN_LENGTH,
    MAX_LIST_VALUES,
    MAX_MATCH_INPUT,
    MAX_PATTERN_LENGTH,
    MAX_REPEAT_COUNT,
    MAX_VALUE_LENGTH,
    MESSAGE_TYPES,
    NEGATIONS,
    NO_VALUE_OPERATORS,
    OPERATOR_DESCRIPTIONS,
    OPERATORS,
    ORDER_OPERATORS,
    PRIORITIES,
    SET_OPERATORS,
    STATUSES,
    Errors,
    FieldSpec,
    FieldType,
    RuleValidationError,
    field_registry_doc,
    operator_registry_doc,
)
from automation.patterns import compile_pattern, pattern_error

# The registry and pattern checks live in their own modules; these names stay importable here.
__all__ = [
    "CHANNELS",
    "FIELDS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_MATCH_INPUT",
    "MAX_PATTERN_LENGTH",
    "MAX_REPEAT_COUNT",
    "MESSAGE_TYPES",
    "NEGATIONS",
    "NO_VALUE_OPERATORS",
    "OPERATORS",
    "OPERATOR_DESCRIPTIONS",
    "PRIORITIES",
    "SET_OPERATORS",
    "STATUSES",
    "Errors",
    "FieldSpec",
    "FieldType",
    "RuleValidationError",
    "evaluate_conditions",
    "explain_conditions",
    "field_registry_doc",
    "operator_registry_doc",
    "pattern_error",
    "validate_conditions",
]

logger = logging.getLogger(__name__)


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
        errors[path] = [_('A group has exactly one key: "all" or "any".')]
        return
    if depth > MAX_DEPTH:
        errors[path] = [
            _("Groups may be nested at most %(max_depth)s deep.") % {"max_depth": MAX_DEPTH}
        ]
        return
    key, items = next(iter(group.items()))
    if not isinstance(items, list):
        errors[f"{path}.{key}"] = [_("Must be a list of conditions or groups.")]
        return
    _validate_items(items, f"{path}.{key}", depth=depth, errors=errors)


def _validate_leaf(leaf: dict, path: str, *, errors: Errors) -> None:
    for key in leaf.keys() - _LEAF_KEYS:
        errors[f"{path}.{key}"] = [_("Unknown key; a condition has field, operator and value.")]
    field, operator = leaf.get("field"), leaf.get("operator")
    spec = FIELDS.get(field) if isinstance(field, str) else None
    if field is None:
        errors[f"{path}.field"] = [_("This key is required.")]
    elif spec is None:
        errors[f"{path}.field"] = [_("Unknown field %(field)s.") % {"field": repr(field)}]
    if operator is None:
        errors[f"{path}.operator"] = [_("This key is required.")]
        return
    if not isinstance(operator, str) or operator not in OPERATORS:
        errors[f"{path}.operator"] = [
            _("Unknown operator %(operator)s.") % {"operator": repr(operator)}
        ]
        return
    if spec is None:
        return
    if operator not in spec.operators:
        errors[f"{path}.operator"] = [
            _(
                "Operator %(operator)s is not valid for field %(spec_name)s (%(spec_type)s); "
                "use one of: %(spec_operators)s."
            )
            % {
                "operator": repr(operator),
                "spec_name": repr(spec.name),
                "spec_type": spec.type,
                "spec_operators": ", ".join(spec.operators),
            }
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


# Looked up here at call time, so a test can stand in a slow pattern.
_compile = compile_pattern


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
