"""Validation of automation rule actions: registry, shapes, parameters and lookups."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.actions import (
    ACTION_TYPES,
    MAX_ACTIONS,
    action_registry_doc,
    validate_actions,
)
from automation.conditions import RuleValidationError

STAFF_ID = "5a1f0c7e-3b1d-4c59-9a57-0d6b8a1d2e3f"
OTHER_STAFF_ID = "0b9a3e1c-7d2f-4e6a-8c5b-1f2e3d4c5b6a"
CUSTOMER_ID = "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"

VALID_ACTIONS = {
    "assign_ticket": {"assigned_to_id": STAFF_ID},
    "change_status": {"status": "IN_PROGRESS"},
    "change_priority": {"priority": "URGENT"},
    "add_tags": {"tags": ["vip", "x" * 50]},
    "add_internal_note": {"content": "Routed by the VIP rule."},
    "send_auto_response": {"template": "out-of-hours_v2"},
    "escalate_ticket": {},
    "notify_users": {"user_ids": [STAFF_ID, OTHER_STAFF_ID], "message": "VIP ticket"},
    "send_webhook": {"url": "https://hooks.example.com/panel1?x=1", "secret": "s3cret"},
    "auto_assign": {"strategy": "round_robin"},
}


def action(type_, **parameters):
    return {"type": type_, "parameters": parameters}


def errors_of(actions, **lookups):
    with pytest.raises(RuleValidationError) as excinfo:
        validate_actions(actions, **lookups)
    return excinfo.value.errors


def staff_lookup(calls=None):
    def staff_user_ids(ids):
        if calls is not None:
            calls.append(set(ids))
        return ids & {STAFF_ID, OTHER_STAFF_ID}

    return staff_user_ids


# --- registry ------------------------------------------------------------------------


def test_registry_has_exactly_the_contract_action_types():
    assert set(ACTION_TYPES) == set(VALID_ACTIONS)


def test_action_registry_doc_describes_types_and_parameters():
    doc = {entry["type"]: entry for entry in action_registry_doc()}

    assert set(doc) == set(VALID_ACTIONS)
    assert all(entry["description"] for entry in doc.values())
    params = {p["name"]: p for p in doc["send_webhook"]["parameters"]}
    assert params["url"]["required"] is True
    assert params["secret"]["required"] is False
    assert doc["escalate_ticket"]["parameters"] == []
    status = doc["change_status"]["parameters"][0]
    assert status["name"] == "status"
    assert "WAITING_ON_CUSTOMER" in status["choices"]
    assert {p["name"] for p in doc["notify_users"]["parameters"]} == {"user_ids", "message"}
    strategy = doc["auto_assign"]["parameters"][0]
    assert strategy["required"] is False and "load_balanced" in strategy["choices"]


def test_auto_assign_strategy_must_be_known():
    errors = errors_of([action("auto_assign", strategy="random")])
    assert "actions[0].parameters.strategy" in errors
    validate_actions([action("auto_assign")])


# --- valid actions ---------------------------------------------------------------------


@pytest.mark.parametrize(("type_", "parameters"), VALID_ACTIONS.items())
def test_each_action_type_accepts_valid_parameters(type_, parameters):
    validate_actions(
        [{"type": type_, "parameters": parameters}],
        staff_user_ids=staff_lookup(),
        template_names=lambda: {"out-of-hours_v2"},
    )


def test_a_rule_may_use_every_action_type_at_once():
    validate_actions([action(t, **p) for t, p in VALID_ACTIONS.items()])


@pytest.mark.parametrize("parameters_key", [{}, {"parameters": None}, {"parameters": {}}])
def test_escalate_ticket_needs_no_parameters(parameters_key):
    validate_actions([{"type": "escalate_ticket", **parameters_key}])


def test_webhook_secret_is_optional():
    validate_actions([action("send_webhook", url="http://10.0.0.5:8080/hook")])


# --- list and shape errors --------------------------------------------------------------


@pytest.mark.parametrize("actions", [None, {"type": "escalate_ticket"}, "escalate_ticket"])
def test_actions_must_be_a_list(actions):
    assert list(errors_of(actions)) == ["actions"]


def test_a_rule_needs_at_least_one_action():
    assert errors_of([]) == {"actions": ["A rule needs at least one action."]}


def test_at_most_20_actions():
    validate_actions([action("escalate_ticket")] * MAX_ACTIONS)

    errors = errors_of([action("escalate_ticket")] * (MAX_ACTIONS + 1))

    assert errors == {"actions": ["At most 20 actions are allowed."]}


def test_shape_errors_name_their_paths():
    errors = errors_of(
        [
            "escalate_ticket",
            {"parameters": {}},
            {"type": "close_ticket", "parameters": {}},
            {"type": "escalate_ticket", "parameters": ["x"]},
            {"type": "escalate_ticket", "when": "now"},
            {"type": 7},
        ]
    )

    assert set(errors) == {
        "actions[0]",
        "actions[1].type",
        "actions[2].type",
        "actions[3].parameters",
        "actions[4].when",
        "actions[5].type",
    }
    assert errors["actions[2].type"][0].startswith("Unknown action type 'close_ticket'")


def test_unknown_parameter_is_rejected():
    errors = errors_of([action("change_status", status="OPEN", reason="because")])

    assert errors == {"actions[0].parameters.reason": ["Unknown parameter for 'change_status'."]}


def test_escalate_ticket_rejects_parameters():
    assert list(errors_of([action("escalate_ticket", level=2)])) == ["actions[0].parameters.level"]


REQUIRED = [
    (type_, name)
    for type_, spec in ACTION_TYPES.items()
    for name, param in spec.parameters.items()
    if param.required
]


@pytest.mark.parametrize(("type_", "name"), REQUIRED)
def test_missing_required_parameter_is_named(type_, name):
    parameters = {k: v for k, v in VALID_ACTIONS[type_].items() if k != name}

    errors = errors_of([action("escalate_ticket"), action(type_, **parameters)])

    assert errors == {f"actions[1].parameters.{name}": ["This parameter is required."]}


def test_required_parameters_are_the_documented_ones():
    assert set(REQUIRED) == {
        ("assign_ticket", "assigned_to_id"),
        ("change_status", "status"),
        ("change_priority", "priority"),
        ("add_tags", "tags"),
        ("add_internal_note", "content"),
        ("send_auto_response", "template"),
        ("notify_users", "user_ids"),
        ("notify_users", "message"),
        ("send_webhook", "url"),
    }


# --- wrong types and values --------------------------------------------------------------

BAD_PARAMETER_CASES = [
    ("assign_ticket", {"assigned_to_id": "alice"}, "assigned_to_id"),
    ("assign_ticket", {"assigned_to_id": 42}, "assigned_to_id"),
    ("change_status", {"status": "open"}, "status"),
    ("change_status", {"status": "DONE"}, "status"),
    ("change_priority", {"priority": "CRITICAL"}, "priority"),
    ("change_priority", {"priority": ["HIGH"]}, "priority"),
    ("add_tags", {"tags": []}, "tags"),
    ("add_tags", {"tags": "vip"}, "tags"),
    ("add_tags", {"tags": ["ok", "x" * 51]}, "tags[1]"),
    ("add_tags", {"tags": ["ok", 3]}, "tags[1]"),
    ("add_tags", {"tags": ["ok", "  "]}, "tags[1]"),
    ("add_tags", {"tags": [f"t{i}" for i in range(21)]}, "tags"),
    ("add_internal_note", {"content": ""}, "content"),
    ("add_internal_note", {"content": "   "}, "content"),
    ("add_internal_note", {"content": {"text": "x"}}, "content"),
    ("add_internal_note", {"content": "x" * 10_001}, "content"),
    ("send_auto_response", {"template": "out of hours"}, "template"),
    ("send_auto_response", {"template": "../etc/passwd"}, "template"),
    ("send_auto_response", {"template": ""}, "template"),
    ("notify_users", {"user_ids": [], "message": "m"}, "user_ids"),
    ("notify_users", {"user_ids": STAFF_ID, "message": "m"}, "user_ids"),
    ("notify_users", {"user_ids": [STAFF_ID, "bob"], "message": "m"}, "user_ids[1]"),
    ("notify_users", {"user_ids": [STAFF_ID], "message": ""}, "message"),
    ("notify_users", {"user_ids": [STAFF_ID], "message": 5}, "message"),
    ("send_webhook", {"url": "ftp://example.com/x"}, "url"),
    ("send_webhook", {"url": "javascript:alert(1)"}, "url"),
    ("send_webhook", {"url": "https://"}, "url"),
    ("send_webhook", {"url": "example.com/hook"}, "url"),
    ("send_webhook", {"url": "https://exa mple.com/"}, "url"),
    ("send_webhook", {"url": "https://example.com/\nX-Injected: 1"}, "url"),
    ("send_webhook", {"url": "https://example.com:99999/"}, "url"),
    ("send_webhook", {"url": "https://example.com/" + "x" * 2000}, "url"),
    ("send_webhook", {"url": 7}, "url"),
    ("send_webhook", {"url": "https://example.com/", "secret": 123}, "secret"),
    ("send_webhook", {"url": "https://example.com/", "secret": "x" * 256}, "secret"),
]


@pytest.mark.parametrize(("type_", "parameters", "name"), BAD_PARAMETER_CASES)
def test_bad_parameter_is_rejected_at_its_path(type_, parameters, name):
    errors = errors_of([action(type_, **parameters)])

    assert list(errors) == [f"actions[0].parameters.{name}"]


def test_errors_from_several_actions_are_reported_together():
    errors = errors_of(
        [
            action("change_status", status="OPEN"),
            action("change_priority", priority="SOON"),
            action("add_tags"),
            action("notify_users", user_ids=["x"], message="m"),
        ]
    )

    assert set(errors) == {
        "actions[1].parameters.priority",
        "actions[2].parameters.tags",
        "actions[3].parameters.user_ids[0]",
    }


# --- staff users and templates -----------------------------------------------------------


def test_user_ids_must_be_staff_users_of_this_helpdesk():
    calls = []
    actions = [
        action("notify_users", user_ids=[STAFF_ID, CUSTOMER_ID], message="m"),
        action("assign_ticket", assigned_to_id=CUSTOMER_ID.upper()),
    ]

    errors = errors_of(actions, staff_user_ids=staff_lookup(calls))

    assert errors == {
        "actions[0].parameters.user_ids": [f"{CUSTOMER_ID} is not a staff user of this helpdesk."],
        "actions[1].parameters.assigned_to_id": [
            f"{CUSTOMER_ID} is not a staff user of this helpdesk."
        ],
    }
    assert calls == [{STAFF_ID, CUSTOMER_ID}]


def test_staff_ids_are_looked_up_once_in_canonical_form():
    calls = []
    actions = [
        action("assign_ticket", assigned_to_id=STAFF_ID.upper()),
        action("notify_users", user_ids=[OTHER_STAFF_ID, STAFF_ID], message="m"),
    ]

    validate_actions(actions, staff_user_ids=staff_lookup(calls))

    assert calls == [{STAFF_ID, OTHER_STAFF_ID}]


def test_staff_lookup_may_answer_with_uuid_objects():
    import uuid

    validate_actions(
        [action("assign_ticket", assigned_to_id=STAFF_ID)],
        staff_user_ids=lambda ids: {uuid.UUID(i) for i in ids},
    )


def test_staff_lookup_is_skipped_without_user_ids():
    def must_not_be_called(ids):
        raise AssertionError("no lookup expected")

    validate_actions([action("escalate_ticket")], staff_user_ids=must_not_be_called)
    errors_of([action("assign_ticket", assigned_to_id="nope")], staff_user_ids=must_not_be_called)


def test_a_non_staff_user_repeated_in_one_action_is_reported_once():
    errors = errors_of(
        [action("notify_users", user_ids=[CUSTOMER_ID, CUSTOMER_ID], message="m")],
        staff_user_ids=staff_lookup(),
    )

    assert errors == {
        "actions[0].parameters.user_ids": [f"{CUSTOMER_ID} is not a staff user of this helpdesk."]
    }


def test_unknown_template_is_rejected():
    calls = []

    def templates():
        calls.append(1)
        return {"welcome", "out-of-hours"}

    errors = errors_of(
        [
            action("send_auto_response", template="welcome"),
            action("send_auto_response", template="bye"),
        ],
        template_names=templates,
    )

    assert errors == {"actions[1].parameters.template": ["Unknown template 'bye'."]}
    assert calls == [1]


def test_template_lookup_is_skipped_for_malformed_or_absent_templates():
    def must_not_be_called():
        raise AssertionError("no lookup expected")

    validate_actions([action("escalate_ticket")], template_names=must_not_be_called)
    errors = errors_of(
        [action("send_auto_response", template="not a slug")], template_names=must_not_be_called
    )

    assert list(errors) == ["actions[0].parameters.template"]


# --- properties ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=15,
)
parameter_names = st.sampled_from(
    sorted({n for spec in ACTION_TYPES.values() for n in spec.parameters} | {"x"})
)
fuzzy_actions = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from([*ACTION_TYPES, "nope"]) | json_values},
        optional={"parameters": st.dictionaries(parameter_names, json_values, max_size=3)},
    )
    | json_values,
    max_size=4,
)


@given(fuzzy_actions | json_values)
@settings(max_examples=300, deadline=None)
def test_validate_only_ever_raises_rule_validation_errors(actions):
    try:
        validate_actions(
            actions, staff_user_ids=lambda ids: set(), template_names=lambda: {"welcome"}
        )
    except RuleValidationError as exc:
        assert exc.errors
        assert all(path.startswith("actions") for path in exc.errors)


@given(st.lists(st.sampled_from(sorted(VALID_ACTIONS)), min_size=1, max_size=MAX_ACTIONS))
@settings(max_examples=100, deadline=None)
def test_any_list_of_valid_actions_validates(types):
    validate_actions(
        [action(t, **VALID_ACTIONS[t]) for t in types],
        staff_user_ids=staff_lookup(),
        template_names=lambda: {"out-of-hours_v2"},
    )
