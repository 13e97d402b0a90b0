"""Regular expressions in `matches` conditions: refuse risky patterns, compile once.

A pattern is checked before it is stored (nested quantifiers and huge repeat counts are
refused: they can take exponential time) and evaluated with a timeout (`automation.conditions`).
"""

from __future__ import annotations

import functools
from typing import Any

import regex

from automation.condition_fields import MAX_PATTERN_LENGTH, MAX_REPEAT_COUNT


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> regex.Pattern:
    return regex.compile(pattern, regex.IGNORECASE)


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
        compile_pattern(pattern)
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
