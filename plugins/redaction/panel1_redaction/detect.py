"""Find and mask payment card numbers (Luhn-checked), IBANs (mod-97 checked) and patterns.

Pure functions: text in, (masked text, count) out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import regex

CARD_RE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
PATTERN_TIMEOUT = 0.05  # seconds per custom pattern and message: a bad regex cannot hang us
# IBAN lengths by country (ISO 13616 registry, the common ones); others: 15-34 characters.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(compact: str) -> bool:
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def _mask_cards(text: str, label: str) -> tuple[str, int]:
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        digits = re.sub(r"\D", "", match.group())
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
            return match.group()
        count += 1
        return f"[{label} card …{digits[-4:]}]"

    return CARD_RE.sub(replace, text), count


def _iban_span(candidate: str) -> int:
    """How many characters of `candidate` form a valid IBAN (0: none); trailing words that
    the pattern swallowed are given back."""
    compact = ""
    ends: list[int] = []  # ends[i]: the candidate length holding i+1 alphanumerics
    for position, char in enumerate(candidate):
        if char != " ":
            compact += char
            ends.append(position + 1)
    for length in range(len(compact), 14, -1):
        if iban_valid(compact[:length]):
            return ends[length - 1]
    return 0


def _mask_ibans(text: str, label: str) -> tuple[str, int]:
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        found = match.group()
        span = _iban_span(found)
        if not span:
            return found
        count += 1
        iban = found[:span].replace(" ", "")
        return f"[{label} IBAN {iban[:2]}…{iban[-4:]}]" + found[span:]

    return IBAN_RE.sub(replace, text), count


def _mask_patterns(text: str, patterns: Iterable[str], label: str) -> tuple[str, int]:
    total = 0
    for pattern in patterns:
        try:
            text, count = regex.subn(pattern, f"[{label}]", text, timeout=PATTERN_TIMEOUT)
        except (regex.error, TimeoutError):
            continue  # refused at configuration time; a timeout leaves the text as it is
        total += count
    return text, total


def redact(
    text: str,
    *,
    cards: bool = True,
    ibans: bool = True,
    patterns: Iterable[str] = (),
    label: str = "redacted",
) -> tuple[str, int]:
    """`text` with sensitive values masked, and how many were masked."""
    total = 0
    if cards:
        text, count = _mask_cards(text, label)
        total += count
    if ibans:
        text, count = _mask_ibans(text, label)
        total += count
    text, count = _mask_patterns(text, patterns, label)
    return text, total + count


def masks_in(text: str, label: str) -> int:
    """How many masks of `label` the text holds outside quoted lines (`> ...`): the values a
    filter earlier in the pipeline masked (the raw mail)."""
    kinds = r"(?: card …\d{4}| IBAN [A-Z]{2}…[A-Z0-9]{4})?"
    marker = re.compile(r"\[" + re.escape(label) + kinds + r"\]")
    return sum(
        len(marker.findall(line)) for line in text.splitlines() if not line.lstrip().startswith(">")
    )
