"""Small text helpers the parsing modules share: one-line values, newlines, dedupe."""

from __future__ import annotations

import re
from collections.abc import Iterable

CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Bidi embeddings, overrides and isolates: used to spoof names, subjects and extensions.
_BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
WS_RE = re.compile(r"\s+")


def clean_header(value: str) -> str:
    """Remove CR/LF and control characters, collapse whitespace."""
    return WS_RE.sub(" ", CONTROL_RE.sub(" ", _BIDI_RE.sub("", value))).strip()


def dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
