"""Text hygiene for everything that enters from outside: the one set of rules every edge uses.

Order matters and is the same everywhere: newlines first (CRLF and lone CR become LF), then
C0 control characters other than tab and newline (NUL, ESC, ...) are rejected (API) or
stripped (pages, mail), and one-line fields (subjects, names, tags) also lose the bidi
overrides/isolates and the zero-width space. Joiners and direction marks that real text needs
(U+200D in emoji sequences, U+200E/U+200F in Arabic and Hebrew) are kept.
"""

from __future__ import annotations

import re

# C0 controls except TAB (0x09) and LF (0x0A); CR is handled by the newline step first.
_CONTROLS = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A))
CONTROL_RE = re.compile(f"[{re.escape(_CONTROLS)}]")
# U+202A-U+202E (embeddings/overrides), U+2066-U+2069 (isolates), U+200B (zero-width space).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b"
BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
_NEWLINE_RE = re.compile(r"\r\n?")

CONTROL_MESSAGE = "Control characters (such as NUL or ESC) are not allowed."


def normalize_newlines(value: str) -> str:
    """CRLF and a lone CR become LF."""
    if "\r" not in value:
        return value
    return _NEWLINE_RE.sub("\n", value)


def has_controls(value: str) -> bool:
    """True if the text holds a C0 control other than tab and newline (after newlines)."""
    return CONTROL_RE.search(normalize_newlines(value)) is not None


def strip_controls(value: str) -> str:
    """Normalize newlines and drop C0 controls other than tab and newline."""
    return CONTROL_RE.sub("", normalize_newlines(value))


def strip_bidi(value: str) -> str:
    """Drop bidi embeddings, overrides and isolates and the zero-width space."""
    return BIDI_RE.sub("", value)


def clean_one_line(value: str) -> str:
    """A subject, name or tag as stored: no controls, no bidi tricks, single spaces."""
    return " ".join(strip_bidi(strip_controls(value)).split())


def clean_text(value: str) -> str:
    """A multi-line text (message, description) as stored from pages and mail."""
    return strip_controls(value)
