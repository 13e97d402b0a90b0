"""Helpers shared by the condition tests."""

import pytest

from automation.conditions import (
    NO_VALUE_OPERATORS,
    RuleValidationError,
    evaluate_conditions,
    validate_conditions,
)

CATEGORY_ID = "5a1f0c7e-3b1d-4c59-9a57-0d6b8a1d2e3f"
OTHER_ID = "0b9a3e1c-7d2f-4e6a-8c5b-1f2e3d4c5b6a"


def cond(field, operator, value=None):
    leaf = {"field": field, "operator": operator}
    if operator not in NO_VALUE_OPERATORS:
        leaf["value"] = value
    return leaf


def holds(field, operator, value, actual):
    return evaluate_conditions([cond(field, operator, value)], {field: actual})


def errors_of(conditions):
    with pytest.raises(RuleValidationError) as excinfo:
        validate_conditions(conditions)
    return excinfo.value.errors
