"""Conditions of automation rules: the registry, validation paths and evaluation."""

import uuid

import pytest

from automation.conditions import (
    FIELDS,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_MATCH_INPUT,
    OPERATORS,
    FieldType,
    RuleValidationError,
    evaluate_conditions,
    explain_conditions,
    field_registry_doc,
    operator_registry_doc,
    validate_conditions,
)
from tests.automation.conditions_support import CATEGORY_ID, OTHER_ID, cond, errors_of, holds

# --- the registry -------------------------------------------------------------------

EXPECTED_FIELD_TYPES = {
    "subject": "string",
    "message_content": "string",
    "status": "enum",
    "priority": "enum",
    "category": "uuid",
    "category_name": "string",
    "tags": "list",
    "channel": "enum",
    "requester_email": "string",
    "requester_domain": "string",
    "assignee": "uuid",
    "escalation_level": "integer",
    "hours_since_created": "number",
    "business_hours_now": "boolean",
    "message_type": "enum",
    "satisfaction_score": "number",
    "satisfaction_response_time": "integer",
    "satisfaction_solution": "integer",
    "satisfaction_team": "integer",
}

STRING_OPS = {"equals", "not_equals", "contains", "not_contains", "in", "not_in", "matches"}
SET_OPS = {"is_set", "is_not_set"}
ORDER_OPS = {"gt", "gte", "lt", "lte"}
EQ_IN_OPS = {"equals", "not_equals", "in", "not_in"}

# The operator-by-field matrix is part of the rule contract: pin it.
EXPECTED_OPERATORS = {
    "subject": STRING_OPS | SET_OPS,
    "message_content": STRING_OPS | SET_OPS,
    "category_name": STRING_OPS | SET_OPS,
    "requester_email": STRING_OPS | SET_OPS,
    "requester_domain": STRING_OPS | SET_OPS,
    "status": EQ_IN_OPS,
    "channel": EQ_IN_OPS,
    "priority": EQ_IN_OPS | ORDER_OPS,
    "message_type": EQ_IN_OPS | SET_OPS,
    "category": EQ_IN_OPS | SET_OPS,
    "assignee": EQ_IN_OPS | SET_OPS,
    "tags": {"contains", "not_contains", "in", "not_in"} | SET_OPS,
    "escalation_level": EQ_IN_OPS | ORDER_OPS,
    "hours_since_created": ORDER_OPS,
    "business_hours_now": {"equals", "not_equals"},
    "satisfaction_score": ORDER_OPS | SET_OPS,
    "satisfaction_response_time": EQ_IN_OPS | ORDER_OPS | SET_OPS,
    "satisfaction_solution": EQ_IN_OPS | ORDER_OPS | SET_OPS,
    "satisfaction_team": EQ_IN_OPS | ORDER_OPS | SET_OPS,
}


# The core fields; installed plugins add theirs as `<plugin>.<key>` (tests/plugins).
CORE_FIELDS = {name: spec for name, spec in FIELDS.items() if "." not in name}


def test_registry_has_exactly_the_contract_fields_and_types():
    assert {name: str(spec.type) for name, spec in CORE_FIELDS.items()} == EXPECTED_FIELD_TYPES


def test_operator_matrix_is_pinned():
    assert {name: set(spec.operators) for name, spec in CORE_FIELDS.items()} == EXPECTED_OPERATORS


def test_operators_are_the_contract_operators():
    assert set(OPERATORS) == {
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
    }


def test_enum_choices_match_the_domain_model():
    assert FIELDS["status"].choices == (
        "OPEN",
        "IN_PROGRESS",
        "WAITING_ON_CUSTOMER",
        "ON_HOLD",
        "RESOLVED",
        "CLOSED",
    )
    assert FIELDS["priority"].choices == ("LOW", "MEDIUM", "HIGH", "URGENT")
    assert FIELDS["channel"].choices == ("WEB", "EMAIL", "API", "PORTAL")
    assert FIELDS["message_type"].choices == (
        "CUSTOMER_REPLY",
        "STAFF_REPLY",
        "INTERNAL_NOTE",
        "SYSTEM",
    )


def test_field_registry_doc_describes_every_field():
    doc = [entry for entry in field_registry_doc() if "." not in entry["name"]]

    assert [entry["name"] for entry in doc] == list(EXPECTED_FIELD_TYPES)
    for entry in doc:
        assert entry["type"] == EXPECTED_FIELD_TYPES[entry["name"]]
        assert set(entry["operators"]) == EXPECTED_OPERATORS[entry["name"]]
        assert entry["description"]
        assert (entry["choices"] is not None) == (entry["type"] == "enum")
    assert next(e for e in doc if e["name"] == "priority")["choices"] == [
        "LOW",
        "MEDIUM",
        "HIGH",
        "URGENT",
    ]


def test_operator_registry_doc_describes_every_operator():
    doc = operator_registry_doc()

    assert [entry["name"] for entry in doc] == list(OPERATORS)
    assert all(entry["description"] for entry in doc)
    assert {e["name"] for e in doc if not e["takes_value"]} == {"is_set", "is_not_set"}


# --- every operator on every type, true and false --------------------------------------

OPERATOR_CASES = [
    # strings: case-insensitive equals / contains / in; matches searches; is_set = not blank
    ("subject", "equals", "Printer broken", "printer BROKEN", True),
    ("subject", "equals", "Printer broken", "Printer broken again", False),
    ("subject", "equals", "x", None, False),
    ("subject", "not_equals", "Printer broken", "Scanner broken", True),
    ("subject", "not_equals", "Printer broken", "PRINTER BROKEN", False),
    ("message_content", "contains", "refund", "I want a REFUND now", True),
    ("message_content", "contains", "refund", "I want my money back", False),
    ("message_content", "contains", "refund", None, False),
    ("message_content", "not_contains", "refund", "just a question", True),
    ("message_content", "not_contains", "refund", "Refund please", False),
    ("message_content", "not_contains", "refund", None, True),
    ("requester_domain", "in", ["example.com", "acme.io"], "ACME.io", True),
    ("requester_domain", "in", ["example.com", "acme.io"], "acme.com", False),
    ("requester_domain", "not_in", ["example.com"], "acme.io", True),
    ("requester_domain", "not_in", ["example.com"], "Example.com", False),
    ("requester_email", "matches", r"^ceo@", "CEO@acme.io", True),
    ("requester_email", "matches", r"^ceo@", "bob@acme.io", False),
    ("requester_email", "matches", r"^ceo@", None, False),
    ("category_name", "is_set", None, "Billing", True),
    ("category_name", "is_set", None, "   ", False),
    ("category_name", "is_set", None, None, False),
    ("category_name", "is_not_set", None, "", True),
    ("category_name", "is_not_set", None, "Billing", False),
    # plain enums: exact
    ("status", "equals", "OPEN", "OPEN", True),
    ("status", "equals", "OPEN", "CLOSED", False),
    ("status", "not_equals", "OPEN", "CLOSED", True),
    ("status", "not_equals", "OPEN", "OPEN", False),
    ("channel", "in", ["EMAIL", "PORTAL"], "EMAIL", True),
    ("channel", "in", ["EMAIL", "PORTAL"], "API", False),
    ("channel", "not_in", ["EMAIL"], "WEB", True),
    ("channel", "not_in", ["EMAIL"], "EMAIL", False),
    # ordered enum: LOW < MEDIUM < HIGH < URGENT
    ("priority", "gt", "MEDIUM", "HIGH", True),
    ("priority", "gt", "MEDIUM", "MEDIUM", False),
    ("priority", "gte", "HIGH", "HIGH", True),
    ("priority", "gte", "HIGH", "LOW", False),
    ("priority", "lt", "HIGH", "LOW", True),
    ("priority", "lt", "HIGH", "URGENT", False),
    ("priority", "lte", "MEDIUM", "MEDIUM", True),
    ("priority", "lte", "MEDIUM", "URGENT", False),
    ("priority", "gt", "LOW", None, False),
    ("priority", "equals", "URGENT", "URGENT", True),
    # nullable enum
    ("message_type", "is_set", None, "CUSTOMER_REPLY", True),
    ("message_type", "is_set", None, None, False),
    ("message_type", "is_not_set", None, None, True),
    ("message_type", "is_not_set", None, "SYSTEM", False),
    ("message_type", "in", ["CUSTOMER_REPLY", "STAFF_REPLY"], "STAFF_REPLY", True),
    ("message_type", "in", ["CUSTOMER_REPLY", "STAFF_REPLY"], None, False),
    ("message_type", "not_in", ["INTERNAL_NOTE"], None, True),
    # uuids: canonical comparison, accepts UUID objects and upper case
    ("category", "equals", CATEGORY_ID, CATEGORY_ID.upper(), True),
    ("category", "equals", CATEGORY_ID, uuid.UUID(CATEGORY_ID), True),
    ("category", "equals", CATEGORY_ID, OTHER_ID, False),
    ("category", "equals", CATEGORY_ID, None, False),
    ("category", "not_equals", CATEGORY_ID, OTHER_ID, True),
    ("category", "not_equals", CATEGORY_ID, None, True),
    ("category", "not_equals", CATEGORY_ID, CATEGORY_ID, False),
    ("assignee", "in", [OTHER_ID, CATEGORY_ID], CATEGORY_ID, True),
    ("assignee", "in", [OTHER_ID], CATEGORY_ID, False),
    ("assignee", "not_in", [OTHER_ID], CATEGORY_ID, True),
    ("assignee", "not_in", [OTHER_ID], OTHER_ID, False),
    ("assignee", "is_set", None, OTHER_ID, True),
    ("assignee", "is_set", None, None, False),
    ("assignee", "is_not_set", None, None, True),
    ("assignee", "is_not_set", None, OTHER_ID, False),
    # tags: contains = membership, in = has any of, is_set = non-empty
    ("tags", "contains", "VIP", ["billing", "vip"], True),
    ("tags", "contains", "vip", ["vipx"], False),
    ("tags", "not_contains", "vip", ["billing"], True),
    ("tags", "not_contains", "vip", ["vip"], False),
    ("tags", "in", ["vip", "press"], ["billing", "press"], True),
    ("tags", "in", ["vip", "press"], ["billing"], False),
    ("tags", "in", ["vip"], [], False),
    ("tags", "not_in", ["vip", "press"], ["billing"], True),
    ("tags", "not_in", ["vip", "press"], ["press"], False),
    ("tags", "is_set", None, ["x"], True),
    ("tags", "is_set", None, [], False),
    ("tags", "is_set", None, None, False),
    ("tags", "is_not_set", None, [], True),
    ("tags", "is_not_set", None, ["x"], False),
    # integers
    ("escalation_level", "equals", 2, 2, True),
    ("escalation_level", "equals", 2, 3, False),
    ("escalation_level", "not_equals", 2, 3, True),
    ("escalation_level", "not_equals", 2, 2, False),
    ("escalation_level", "in", [1, 2], 2, True),
    ("escalation_level", "in", [1, 2], 0, False),
    ("escalation_level", "not_in", [1, 2], 0, True),
    ("escalation_level", "not_in", [1, 2], 1, False),
    ("escalation_level", "gt", 1, 2, True),
    ("escalation_level", "gt", 1, 1, False),
    ("escalation_level", "gte", 1, 1, True),
    ("escalation_level", "gte", 1, 0, False),
    ("escalation_level", "lt", 1, 0, True),
    ("escalation_level", "lt", 1, 1, False),
    ("escalation_level", "lte", 1, 1, True),
    ("escalation_level", "lte", 1, 2, False),
    ("escalation_level", "gt", 1, None, False),
    ("escalation_level", "equals", 1, True, False),
    # numbers
    ("hours_since_created", "gt", 24, 24.5, True),
    ("hours_since_created", "gt", 24, 24, False),
    ("hours_since_created", "gte", 1.5, 1.5, True),
    ("hours_since_created", "gte", 1.5, 1.49, False),
    ("hours_since_created", "lt", 0.5, 0.25, True),
    ("hours_since_created", "lt", 0.5, 0.5, False),
    ("hours_since_created", "lte", 48, 48.0, True),
    ("hours_since_created", "lte", 48, 48.01, False),
    ("hours_since_created", "gt", 1, "lots", False),
    ("hours_since_created", "gt", 1, float("nan"), False),
    # survey scores (nullable numbers)
    ("satisfaction_score", "lte", 2, 1.67, True),
    ("satisfaction_score", "lte", 2, 4.5, False),
    ("satisfaction_score", "lte", 2, None, False),
    ("satisfaction_score", "is_set", None, 3.0, True),
    ("satisfaction_score", "is_set", None, None, False),
    ("satisfaction_score", "is_not_set", None, None, True),
    ("satisfaction_score", "is_not_set", None, 5, False),
    ("satisfaction_team", "lte", 2, 1, True),
    ("satisfaction_team", "lte", 2, 3, False),
    ("satisfaction_team", "is_set", None, 4, True),
    ("satisfaction_team", "is_set", None, None, False),
    ("satisfaction_team", "is_not_set", None, None, True),
    ("satisfaction_team", "is_not_set", None, 4, False),
    # booleans
    ("business_hours_now", "equals", True, True, True),
    ("business_hours_now", "equals", True, False, False),
    ("business_hours_now", "equals", False, None, False),
    ("business_hours_now", "not_equals", True, False, True),
    ("business_hours_now", "not_equals", True, True, False),
]


@pytest.mark.parametrize(("field", "operator", "value", "actual", "expected"), OPERATOR_CASES)
def test_operator_on_field(field, operator, value, actual, expected):
    validate_conditions([cond(field, operator, value)])

    assert holds(field, operator, value, actual) is expected


def test_every_supported_operator_of_every_field_is_exercised_true_and_false():
    outcomes = {(f, op, result) for f, op, _, _, result in OPERATOR_CASES}
    types = {str(FIELDS[f].type) for f, *_ in OPERATOR_CASES}
    for field_type in types:
        names = [name for name, spec in FIELDS.items() if str(spec.type) == field_type]
        supported = {op for name in names for op in FIELDS[name].operators}
        for operator in supported:
            for result in (True, False):
                assert any((n, operator, result) in outcomes for n in names), (
                    field_type,
                    operator,
                    result,
                )
    assert types == {str(t) for t in FieldType}


def test_missing_context_field_counts_as_null():
    conditions = [cond("assignee", "is_not_set"), cond("subject", "not_contains", "x")]

    assert evaluate_conditions(conditions, {}) is True


def test_matches_only_searches_the_first_10000_characters():
    text = "x" * MAX_MATCH_INPUT + "needle"

    assert holds("message_content", "matches", "needle", text) is False
    assert holds("message_content", "contains", "needle", text) is True
    assert holds("message_content", "matches", "needle", text[len("needle") :]) is True


# --- invalid operators per type -----------------------------------------------------

INVALID_OPERATOR_CASES = [
    (name, op) for name, spec in FIELDS.items() for op in OPERATORS if op not in spec.operators
]


@pytest.mark.parametrize(("field", "operator"), INVALID_OPERATOR_CASES)
def test_operator_not_valid_for_field_is_rejected(field, operator):
    errors = errors_of([cond(field, operator, "x")])

    assert list(errors) == ["conditions[0].operator"]
    assert f"not valid for field {field!r}" in errors["conditions[0].operator"][0]


@pytest.mark.parametrize(
    ("field", "operator"),
    [
        ("subject", "gt"),
        ("status", "contains"),
        ("status", "gt"),
        ("tags", "equals"),
        ("tags", "matches"),
        ("hours_since_created", "equals"),
        ("business_hours_now", "in"),
        ("escalation_level", "contains"),
        ("category", "matches"),
        ("channel", "is_set"),
    ],
)
def test_typical_type_mismatches_are_invalid(field, operator):
    assert (field, operator) in INVALID_OPERATOR_CASES


def test_unknown_operator_and_unknown_field_name_the_bad_part():
    errors = errors_of([cond("subject", "startswith", "x"), cond("sentiment", "equals", "x")])

    assert errors == {
        "conditions[0].operator": ["Unknown operator 'startswith'."],
        "conditions[1].field": ["Unknown field 'sentiment'."],
    }


# --- value validation ----------------------------------------------------------------

BAD_VALUE_CASES = [
    (cond("status", "equals", "open"), "conditions[0].value"),
    (cond("status", "equals", "DONE"), "conditions[0].value"),
    (cond("priority", "gt", "CRITICAL"), "conditions[0].value"),
    (cond("escalation_level", "gt", "2"), "conditions[0].value"),
    (cond("escalation_level", "equals", 1.5), "conditions[0].value"),
    (cond("escalation_level", "equals", True), "conditions[0].value"),
    (cond("hours_since_created", "gt", "24"), "conditions[0].value"),
    (cond("hours_since_created", "gt", float("inf")), "conditions[0].value"),
    (cond("hours_since_created", "gt", False), "conditions[0].value"),
    (cond("business_hours_now", "equals", "true"), "conditions[0].value"),
    (cond("business_hours_now", "equals", 1), "conditions[0].value"),
    (cond("subject", "equals", 42), "conditions[0].value"),
    (cond("subject", "contains", ""), "conditions[0].value"),
    (cond("subject", "contains", "x" * 1001), "conditions[0].value"),
    (cond("subject", "in", "Printer"), "conditions[0].value"),
    (cond("subject", "in", []), "conditions[0].value"),
    (cond("subject", "in", ["x"] * 101), "conditions[0].value"),
    (cond("channel", "not_in", ["WEB", "FAX"]), "conditions[0].value[1]"),
    (cond("category", "equals", "not-a-uuid"), "conditions[0].value"),
    (cond("assignee", "in", [CATEGORY_ID, 7]), "conditions[0].value[1]"),
    (cond("tags", "contains", ["vip"]), "conditions[0].value"),
    (cond("subject", "equals", None), "conditions[0].value"),
    ({"field": "subject", "operator": "equals"}, "conditions[0].value"),
    ({"field": "tags", "operator": "is_set", "value": "vip"}, "conditions[0].value"),
    ({"field": "assignee", "operator": "is_not_set", "value": False}, "conditions[0].value"),
]


@pytest.mark.parametrize(("leaf", "path"), BAD_VALUE_CASES)
def test_bad_value_is_rejected_at_its_path(leaf, path):
    assert list(errors_of([leaf])) == [path]


def test_is_set_accepts_an_absent_or_null_value():
    validate_conditions(
        [
            {"field": "assignee", "operator": "is_set"},
            {"field": "assignee", "operator": "is_set", "value": None},
        ]
    )


def test_numbers_accept_ints_and_floats():
    validate_conditions(
        [cond("hours_since_created", "gt", 1), cond("hours_since_created", "lt", 2.5)]
    )


# --- shape, nesting and paths ------------------------------------------------------------


def test_empty_conditions_always_hold():
    validate_conditions([])

    assert evaluate_conditions([], {}) is True


@pytest.mark.parametrize("conditions", [None, "status=OPEN", 3])
def test_conditions_must_be_a_list_or_a_group(conditions):
    assert list(errors_of(conditions)) == ["conditions"]


def test_shape_errors_name_their_paths():
    errors = errors_of(
        [
            "status = OPEN",
            {"all": [cond("status", "equals", "OPEN")], "any": []},
            {"any": cond("status", "equals", "OPEN")},
            {"field": "status", "operator": "equals", "value": "OPEN", "negate": True},
            {"operator": "equals", "value": "OPEN"},
            {"field": "status", "value": "OPEN"},
        ]
    )

    assert set(errors) == {
        "conditions[0]",
        "conditions[1]",
        "conditions[2].any",
        "conditions[3].negate",
        "conditions[4].field",
        "conditions[5].operator",
    }


def test_errors_inside_nested_groups_name_the_full_path():
    conditions = [
        cond("status", "equals", "OPEN"),
        {
            "any": [
                cond("subject", "gt", "x"),
                {"all": [cond("priority", "equals", "HIGH"), cond("channel", "equals", "FAX")]},
            ]
        },
    ]

    errors = errors_of(conditions)

    assert set(errors) == {"conditions[1].any[0].operator", "conditions[1].any[1].all[1].value"}


def test_a_top_level_group_is_accepted_and_paths_start_at_conditions():
    errors = errors_of({"any": [cond("status", "equals", "OPEN"), cond("status", "gt", "OPEN")]})

    assert list(errors) == ["conditions.any[1].operator"]


def nest(leaf, depth, key="all"):
    node = leaf
    for _ in range(depth):
        node = {key: [node]}
    return node


def test_groups_nest_up_to_the_depth_limit():
    leaf = cond("status", "equals", "OPEN")
    conditions = [nest(leaf, MAX_DEPTH)]

    validate_conditions(conditions)
    assert evaluate_conditions(conditions, {"status": "OPEN"}) is True


def test_groups_nested_past_the_limit_are_rejected_at_the_deepest_allowed_path():
    conditions = [nest(cond("status", "equals", "OPEN"), MAX_DEPTH + 1, key="any")]

    errors = errors_of(conditions)

    assert errors == {
        "conditions[0]" + ".any[0]" * MAX_DEPTH: [f"Groups may be nested at most {MAX_DEPTH} deep."]
    }


def test_a_top_level_group_counts_towards_the_depth():
    validate_conditions(nest(cond("status", "equals", "OPEN"), MAX_DEPTH))
    assert list(errors_of(nest(cond("status", "equals", "OPEN"), MAX_DEPTH + 1)))


def test_at_most_50_conditions_counting_inside_groups():
    leaf = cond("status", "equals", "OPEN")
    validate_conditions([leaf] * 25 + [{"any": [leaf] * 25}])

    errors = errors_of([leaf] * 25 + [{"any": [leaf] * 25}, {"all": [{"any": [leaf]}]}])

    assert errors == {"conditions": [f"At most {MAX_CONDITIONS} conditions are allowed."]}


def test_nested_any_and_all_groups_evaluate_as_boolean_logic():
    vip_or_urgent = {
        "any": [
            cond("tags", "contains", "vip"),
            {"all": [cond("priority", "gte", "HIGH"), cond("business_hours_now", "equals", False)]},
        ]
    }
    conditions = [cond("status", "in", ["OPEN", "IN_PROGRESS"]), vip_or_urgent]
    base = {"status": "OPEN", "tags": [], "priority": "URGENT", "business_hours_now": False}

    assert evaluate_conditions(conditions, base) is True
    assert evaluate_conditions(conditions, {**base, "business_hours_now": True}) is False
    assert evaluate_conditions(conditions, {**base, "business_hours_now": True, "tags": ["VIP"]})
    assert evaluate_conditions(conditions, {**base, "status": "CLOSED", "tags": ["vip"]}) is False


def test_empty_groups_follow_logic():
    assert evaluate_conditions([{"all": []}], {}) is True
    assert evaluate_conditions([{"any": []}], {}) is False


def test_evaluate_refuses_invalid_conditions():
    with pytest.raises(RuleValidationError):
        evaluate_conditions([cond("subject", "gt", "x")], {"subject": "y"})


# --- regular expressions -------------------------------------------------------------


def test_explain_reports_every_leaf_with_paths_and_values():
    conditions = [
        cond("status", "equals", "OPEN"),
        {"any": [cond("tags", "contains", "vip"), cond("assignee", "is_not_set")]},
    ]
    context = {"status": "OPEN", "tags": ["billing"], "assignee": uuid.UUID(OTHER_ID)}

    explanation = explain_conditions(conditions, context)

    assert explanation == [
        {
            "path": "conditions[0]",
            "field": "status",
            "operator": "equals",
            "expected": "OPEN",
            "actual": "OPEN",
            "result": True,
        },
        {
            "path": "conditions[1].any[0]",
            "field": "tags",
            "operator": "contains",
            "expected": "vip",
            "actual": ["billing"],
            "result": False,
        },
        {
            "path": "conditions[1].any[1]",
            "field": "assignee",
            "operator": "is_not_set",
            "expected": None,
            "actual": OTHER_ID,
            "result": False,
        },
    ]


def test_explain_paths_for_a_top_level_group_and_long_values():
    conditions = {"all": [cond("message_content", "contains", "x")]}

    (entry,) = explain_conditions(conditions, {"message_content": "x" * 5000})

    assert entry["path"] == "conditions.all[0]"
    assert entry["result"] is True
    assert len(entry["actual"]) < 1000


# --- properties ----------------------------------------------------------------------
