"""Regex conditions (`matches`): accepted and refused patterns, bounded matching."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation import conditions as conditions_module
from automation.conditions import (
    pattern_error,
    validate_conditions,
)
from tests.automation.conditions_support import cond, errors_of, holds

# --- the registry -------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["(unclosed", "abc)", "[a-", "*abc", "a{2,1}", "abc\\"])
def test_bad_regex_is_rejected(pattern):
    errors = errors_of([cond("subject", "matches", pattern)])

    assert errors["conditions[0].value"][0].startswith("Invalid regular expression")


def test_regex_longer_than_200_characters_is_rejected():
    validate_conditions([cond("subject", "matches", "a" * 200)])

    errors = errors_of([cond("subject", "matches", "a" * 201)])

    assert errors == {"conditions[0].value": ["A pattern has at most 200 characters."]}


@pytest.mark.parametrize(
    "pattern",
    [
        "(a+)+",
        "(a*)*b",
        "(?:a+)+$",
        r"(\d+)*x",
        "((ab)+c)*",
        "(a{1,}){2,}",
        r"(\w+\s?)+$",
        "(a+)+?",
        "(.*a){12}",
        "a{2}*",
        "(?:a{1000}){1000}",
    ],
)
def test_catastrophic_nested_quantifiers_are_rejected(pattern):
    errors = errors_of([cond("subject", "matches", pattern)])

    assert "Nested quantifiers" in errors["conditions[0].value"][0]


@pytest.mark.parametrize(
    "pattern",
    [
        "(a+)?",
        "(ab)+",
        "a+b+",
        "[a+]+",
        r"\(a+\)+",
        "a+?b*",
        r"^\w+@example\.com$",
        r"(?i)refund|chargeback",
        r"\bINV-\d{4,8}\b",
        "(foo|bar)+",
        r"\p{L}+",
    ],
)
def test_ordinary_patterns_are_accepted(pattern):
    validate_conditions([cond("subject", "matches", pattern)])


def test_huge_repeat_counts_are_rejected():
    errors = errors_of([cond("subject", "matches", "a{1001}")])

    assert errors == {"conditions[0].value": ["Repeat counts above 1000 are not allowed."]}


def test_a_regex_timeout_counts_as_no_match():
    # (a|aa)*c has no nested quantifier but backtracks exponentially before the c; without
    # a timeout it would eventually match the final "c".
    pattern, text = "(a|aa)*c", "a" * 40 + "bc"
    validate_conditions([cond("message_content", "matches", pattern)])

    started = time.perf_counter()
    result = holds("message_content", "matches", pattern, text)

    assert result is False
    assert time.perf_counter() - started < 2
    assert holds("message_content", "not_contains", "zzz", text) is True


def test_a_timeout_from_the_engine_is_treated_as_no_match(monkeypatch):
    class SlowPattern:
        def search(self, text, timeout):
            raise TimeoutError("regex timed out")

    monkeypatch.setattr(conditions_module, "_compile", lambda pattern: SlowPattern())

    assert conditions_module._search("anything", "text") is False


@given(st.text(max_size=220))
@settings(max_examples=300, deadline=None)
def test_pattern_checks_never_raise(pattern):
    message = pattern_error(pattern)

    assert message is None or isinstance(message, str)


# --- explain (dry run) ---------------------------------------------------------------
