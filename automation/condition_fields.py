"""The condition field registry: what a rule condition may read, and with which operators.

The single description the API validates against, the rule builder and the docs render, and
the engine evaluates with (`automation.conditions`). Plain Python, no Django.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

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
    label: str = ""  # the rule builder's words for a field a plugin brings (core: the desk's)

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
            "label": spec.label or None,
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
