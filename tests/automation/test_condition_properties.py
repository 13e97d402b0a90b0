"""Property tests of condition evaluation (hypothesis): negations, groups, explain."""

from hypothesis import given, settings
from hypothesis import strategies as st

from automation.conditions import (
    FIELDS,
    NEGATIONS,
    NO_VALUE_OPERATORS,
    FieldType,
    RuleValidationError,
    evaluate_conditions,
    explain_conditions,
    validate_conditions,
)
from tests.automation.conditions_support import cond, holds

# --- the registry -------------------------------------------------------------------

SAFE_PATTERNS = ["^a", "b$", r"\d+", "ab|cd", "[xyz]{2}", r"(?-i:A)", "é"]


def scalar_values(spec):
    match spec.type:
        case FieldType.STRING | FieldType.LIST:
            return st.text(min_size=1, max_size=8)
        case FieldType.ENUM:
            return st.sampled_from(spec.choices)
        case FieldType.UUID:
            return st.uuids().map(str)
        case FieldType.INTEGER:
            return st.integers(-3, 5)
        case FieldType.NUMBER:
            return st.integers(-3, 50) | st.floats(-10, 100, allow_nan=False)
        case FieldType.BOOLEAN:
            return st.booleans()


def rule_values(spec, operator):
    if operator in NO_VALUE_OPERATORS:
        return st.none()
    if operator in ("in", "not_in"):
        return st.lists(scalar_values(spec), min_size=1, max_size=4)
    if operator == "matches":
        return st.sampled_from(SAFE_PATTERNS)
    return scalar_values(spec)


def leaves_for(name, operators=None):
    spec = FIELDS[name]
    ops = operators if operators is not None else spec.operators
    return st.sampled_from(ops).flatmap(
        lambda op: rule_values(spec, op).map(lambda value: cond(name, op, value))
    )


leaves = st.sampled_from(list(FIELDS)).flatmap(leaves_for)


def actual_values(spec):
    match spec.type:
        case FieldType.STRING:
            base = st.text(max_size=12)
        case FieldType.LIST:
            base = st.lists(st.text(max_size=6), max_size=4)
        case FieldType.ENUM:
            base = st.sampled_from(spec.choices)
        case FieldType.UUID:
            base = st.uuids() | st.uuids().map(str)
        case FieldType.INTEGER:
            base = st.integers(0, 6)
        case FieldType.NUMBER:
            base = st.floats(0, 10_000, allow_nan=False) | st.integers(0, 100)
        case FieldType.BOOLEAN:
            base = st.booleans()
    return base | st.none() if spec.nullable else base


contexts = st.fixed_dictionaries(
    {}, optional={name: actual_values(spec) for name, spec in FIELDS.items()}
)


def trees(depth):
    if depth == 0:
        return leaves
    children = st.lists(trees(depth - 1), max_size=2)
    return leaves | children.map(lambda c: {"all": c}) | children.map(lambda c: {"any": c})


condition_lists = st.lists(trees(3), max_size=4)


@given(condition_lists, contexts)
@settings(max_examples=300, deadline=None)
def test_evaluate_never_raises_for_valid_rules_and_values(conditions, context):
    validate_conditions(conditions)

    assert evaluate_conditions(conditions, context) in (True, False)


@given(condition_lists, contexts)
@settings(max_examples=200, deadline=None)
def test_explain_agrees_with_evaluate_for_each_leaf(conditions, context):
    for entry in explain_conditions(conditions, context):
        leaf = {"field": entry["field"], "operator": entry["operator"], "value": entry["expected"]}
        assert entry["result"] is evaluate_conditions([leaf], context)


@given(leaves.filter(lambda leaf: leaf["operator"] in NEGATIONS.values()), contexts)
@settings(max_examples=300, deadline=None)
def test_each_negative_operator_is_the_negation_of_its_positive(leaf, context):
    negative = next(neg for neg, pos in NEGATIONS.items() if pos == leaf["operator"])
    negated = {**leaf, "operator": negative}

    assert evaluate_conditions([negated], context) is not evaluate_conditions([leaf], context)


@given(
    st.sampled_from([n for n, s in FIELDS.items() if "equals" in s.operators]).flatmap(
        lambda name: st.tuples(leaves_for(name, ("equals",)), contexts)
    )
)
@settings(max_examples=200, deadline=None)
def test_not_equals_is_the_negation_of_equals(leaf_and_context):
    leaf, context = leaf_and_context
    other = {**leaf, "operator": "not_equals"}

    assert evaluate_conditions([other], context) is not evaluate_conditions([leaf], context)


@given(trees(2), contexts)
@settings(max_examples=200, deadline=None)
def test_a_group_of_one_condition_is_that_condition(node, context):
    alone = evaluate_conditions([node], context)

    assert evaluate_conditions([{"any": [node]}], context) is alone
    assert evaluate_conditions([{"all": [node]}], context) is alone
    assert evaluate_conditions({"any": [node]}, context) is alone


@given(contexts)
def test_all_of_nothing_is_true_and_any_of_nothing_is_false(context):
    assert evaluate_conditions({"all": []}, context) is True
    assert evaluate_conditions([], context) is True
    assert evaluate_conditions({"any": []}, context) is False


@given(st.lists(trees(1), max_size=3), st.lists(trees(1), max_size=3), contexts)
@settings(max_examples=200, deadline=None)
def test_all_and_any_combine_like_and_and_or(left, right, context):
    left_holds = evaluate_conditions({"all": left}, context)
    right_holds = evaluate_conditions({"all": right}, context)

    assert evaluate_conditions([{"all": left}, {"all": right}], context) is (
        left_holds and right_holds
    )
    assert evaluate_conditions({"any": [{"all": left}, {"all": right}]}, context) is (
        left_holds or right_holds
    )


SCALAR_IN_FIELDS = [n for n, s in FIELDS.items() if "in" in s.operators and s.type != "list"]


@given(
    st.sampled_from(SCALAR_IN_FIELDS).flatmap(
        lambda name: st.tuples(
            st.just(name), st.lists(scalar_values(FIELDS[name]), min_size=1, max_size=4), contexts
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_in_is_any_equals_and_not_in_is_all_not_equals(case):
    name, values, context = case

    assert evaluate_conditions([cond(name, "in", values)], context) is evaluate_conditions(
        {"any": [cond(name, "equals", value) for value in values]}, context
    )
    assert evaluate_conditions([cond(name, "not_in", values)], context) is evaluate_conditions(
        [cond(name, "not_equals", value) for value in values], context
    )


@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4), contexts)
@settings(max_examples=200, deadline=None)
def test_tags_in_is_any_contains_and_not_in_is_all_not_contains(values, context):
    assert evaluate_conditions([cond("tags", "in", values)], context) is evaluate_conditions(
        {"any": [cond("tags", "contains", value) for value in values]}, context
    )
    assert evaluate_conditions([cond("tags", "not_in", values)], context) is evaluate_conditions(
        [cond("tags", "not_contains", value) for value in values], context
    )


@given(
    st.sampled_from(["priority", "escalation_level", "hours_since_created"]).flatmap(
        lambda name: st.tuples(
            st.just(name), scalar_values(FIELDS[name]), actual_values(FIELDS[name])
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_ordering_operators_are_consistent_for_set_values(case):
    name, value, actual = case

    def check(operator):
        return holds(name, operator, value, actual)

    assert check("gt") is not check("lte")
    assert check("lt") is not check("gte")
    assert not (check("gt") and check("lt"))


@given(
    st.sampled_from(list(FIELDS)),
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.lists(st.none() | st.integers() | st.text(max_size=5), max_size=3)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.data(),
)
@settings(max_examples=300, deadline=None)
def test_evaluate_tolerates_context_values_of_the_wrong_type(name, actual, data):
    leaf = data.draw(leaves_for(name))

    assert evaluate_conditions([leaf], {name: actual}) in (True, False)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["field", "operator", "value", "all", "any", "x"]),
                children,
                max_size=3,
            )
        ),
        max_leaves=20,
    )
)
@settings(max_examples=300, deadline=None)
def test_validate_only_ever_raises_rule_validation_errors(conditions):
    try:
        validate_conditions(conditions)
    except RuleValidationError as exc:
        assert exc.errors
        assert all(path.startswith("conditions") for path in exc.errors)
