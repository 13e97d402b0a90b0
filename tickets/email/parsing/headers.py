"""Header values, read defensively: RFC 2047 encoded words, raw 8-bit bytes, addresses,
message ids, the date, and the headers kept for the audit trail."""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
from datetime import UTC, datetime
from email.message import Message

from tickets.email.parsing.charsets import lookup_codec
from tickets.email.parsing.result import MAX_AUDIT_HEADER_CHARS, MAX_REFERENCES
from tickets.email.parsing.text import CONTROL_RE, WS_RE, clean_header, dedupe

_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_ENCODED_GAP_RE = re.compile(r"(\?=)\s+(=\?)")
_ANGLE_RE = re.compile(r"<([^<>]*)>")
# Raw 8-bit header bytes, as the parser's surrogate escapes (one search, not a loop over
# every character of every header value).
_SURROGATE_RE = re.compile("[\udc80-\udcff]")


def desurrogate(value: str) -> str:
    """Turn surrogate-escaped raw 8-bit header bytes back into text (UTF-8, else cp1252)."""
    if _SURROGATE_RE.search(value) is None:
        return value
    raw = value.encode("utf-8", "surrogateescape")
    for charset in ("utf-8", "cp1252"):
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # never fails: every byte is a latin-1 character


def decode_encoded_words(value: str, defects: list[str]) -> str:
    """Decode RFC 2047 encoded words; unknown charsets decode as UTF-8 with a defect."""
    value = _ENCODED_GAP_RE.sub(r"\1\2", value)
    return _ENCODED_WORD_RE.sub(lambda m: _decode_encoded_word(m, defects), value)


def _decode_encoded_word(match: re.Match, defects: list[str]) -> str:
    charset, encoding, payload = match.group(1), match.group(2).upper(), match.group(3)
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
    try:
        if encoding == "B":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = _decode_q(payload)
    except (binascii.Error, ValueError):
        defects.append(f"undecodable encoded word in header: {match.group(0)[:60]}")
        return match.group(0)
    codec = lookup_codec(charset)
    if codec is None:
        defects.append(f"unknown charset {charset!r} in header")
        return data.decode("utf-8", "replace")
    return data.decode(codec, "replace")


def _decode_q(payload: str) -> bytes:
    raw = payload.replace("_", " ").encode("ascii", "replace")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


class HeaderReader:
    """Read header values defensively: modern objects first, raw values as fallback."""

    def __init__(self, msg: Message, defects: list[str]) -> None:
        self.msg = msg
        self.defects = defects
        self._raw_by_name: dict[str, list[str]] | None = None

    def raw(self, name: str) -> list[str]:
        # The raw values by lowercase name, read once: a mail's headers are asked for by
        # some fifty names.
        if self._raw_by_name is None:
            self._raw_by_name = self._raw_index()
        return list(self._raw_by_name.get(name.lower(), ()))

    def _raw_index(self) -> dict[str, list[str]]:
        try:
            items = list(self.msg.raw_items())
        except Exception:
            return {}
        index: dict[str, list[str]] = {}
        for key, value in items:
            index.setdefault(str(key).lower(), []).append(desurrogate(str(value)))
        return index

    def unstructured(self, name: str) -> list[str]:
        return [clean_header(decode_encoded_words(v, self.defects)) for v in self.raw(name)]

    def first(self, name: str) -> str | None:
        values = self.unstructured(name)
        return values[0] if values else None

    def message_id(self) -> str | None:
        ids = self.msg_ids("Message-ID")
        if not ids:
            self.defects.append("no Message-ID header")
        return ids[0] if ids else None

    def msg_ids(self, name: str, limit: int = MAX_REFERENCES) -> list[str]:
        ids: list[str] = []
        for value in self.raw(name):
            found = _ANGLE_RE.findall(value) or [t for t in re.split(r"[\s,]+", value) if "@" in t]
            ids.extend(_clean_msg_id(item) for item in found)
        ids = dedupe(ids)
        if len(ids) > limit:
            self.defects.append(f"{name} lists {len(ids)} ids; kept the last {limit}")
            ids = ids[-limit:]
        return ids

    def date(self) -> datetime | None:
        values = self.raw("Date")
        if not values:
            self.defects.append("no Date header")
            return None
        try:
            parsed = email.utils.parsedate_to_datetime(clean_header(values[0]))
        except (TypeError, ValueError, IndexError, OverflowError):
            self.defects.append(f"unparseable Date header: {clean_header(values[0])[:80]!r}")
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def address_pairs(self, *names: str) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name in names:
            pairs.extend(self._modern_addresses(name) or self._raw_addresses(name))
        return [(name, addr) for name, addr in pairs if addr]

    def addresses(self, *names: str) -> list[str]:
        return dedupe(addr for _name, addr in self.address_pairs(*names))

    def first_address(self, name: str) -> tuple[str, str | None]:
        pairs = self.address_pairs(name)
        return (clean_header(desurrogate(pairs[0][0])), pairs[0][1]) if pairs else ("", None)

    def _modern_addresses(self, name: str) -> list[tuple[str, str]]:
        simple = simple_addresses(self.raw(name))
        if simple is not None:
            return [(display, clean_address(addr)) for display, addr in simple]
        try:
            found = []
            for header in self.msg.get_all(name) or []:
                for address in getattr(header, "addresses", ()):
                    found.append((address.display_name, clean_address(address.addr_spec)))
            return found
        except Exception:  # modern parser choked, use the raw value
            return []

    def _raw_addresses(self, name: str) -> list[tuple[str, str]]:
        values = self.raw(name)
        try:
            pairs = email.utils.getaddresses([clean_header(v) for v in values])
        except Exception:
            return []
        return [(decode_encoded_words(n, self.defects), clean_address(a)) for n, a in pairs]


# Mailboxes in their plainest form, `a.b@example.com` or `Plain Name <a.b@example.com>`
# (ASCII, no quotes, comments or groups): read without the email package's header parser,
# giving what it gives for them (tests/email/test_parsing_helpers.py compares the two).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_ADDR_SPEC = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_PLAIN_NAME = r"[A-Za-z0-9]+(?:[ \t]+[A-Za-z0-9]+)*"
_SIMPLE_MAILBOX_RE = re.compile(
    rf"[ \t]*(?:(?P<name>{_PLAIN_NAME})[ \t]*<(?P<angle>{_ADDR_SPEC})>"
    rf"|(?P<bare>{_ADDR_SPEC}))[ \t]*"
)


def simple_addresses(values: list[str]) -> list[tuple[str, str]] | None:
    """(display name, address) of every mailbox of `values` (the raw header values), when
    each is a list of plain mailboxes; None when any is not (the header parser reads it)."""
    found = []
    for value in values:
        if "=?" in value:  # an encoded word: the parser decodes even those in an address
            return None
        unfolded = value.replace("\r", "").replace("\n", "")  # as the header parser unfolds
        for item in unfolded.split(","):
            match = _SIMPLE_MAILBOX_RE.fullmatch(item)
            if match is None:
                return None
            if match["bare"]:
                found.append(("", match["bare"]))
            else:
                found.append((" ".join(match["name"].split()), match["angle"]))
    return found


def _clean_msg_id(value: str) -> str:
    return WS_RE.sub("", CONTROL_RE.sub("", value)).strip("<>")


_ADDRESS_FORBIDDEN_RE = re.compile(r'[\s<>,;()\[\]\\"]')


def clean_address(value: str) -> str:
    """Lowercase a mailbox address; "" when it is not a plain, safe ``local@domain``."""
    address = clean_header(value or "").strip("<>").lower()
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or _ADDRESS_FORBIDDEN_RE.search(address):
        return ""
    return address


def read_return_path(headers: HeaderReader) -> str | None:
    """Return the Return-Path address; "" for the null reverse path ``<>``."""
    values = headers.raw("Return-Path")
    if not values:
        return None
    value = clean_header(values[0])
    match = _ANGLE_RE.search(value)
    return clean_header(match.group(1) if match else value).lower()


_AUDIT_HEADERS = (
    "Message-ID",
    "Date",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "In-Reply-To",
    "References",
    "Return-Path",
    "Delivered-To",
    "X-Original-To",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "X-Autoreply",
    "X-Auto-Response-Suppress",
    "X-Failed-Recipients",
    "X-Mailer",
    "User-Agent",
    "Authentication-Results",
    "Received-SPF",
    "X-Spam-Flag",
    "X-Spam-Status",
)


def audit_headers(headers: HeaderReader) -> dict[str, str]:
    audit: dict[str, str] = {}
    for name in _AUDIT_HEADERS:
        value = headers.first(name)
        if value is not None:
            audit[name] = value[:MAX_AUDIT_HEADER_CHARS]
    return audit


# A header block of plain lines only: printable ASCII headers (a name without spaces up to a
# colon) and their continuation lines, each ended by LF or CRLF (the last one may end the block).
_PLAIN_HEAD_RE = re.compile(rb"(?:(?:[\x21-\x39\x3b-\x7e]+:|[ \t])[\x20-\x7e\t]*(?:\r?\n|\Z))*")
_PLAIN_HEADER_RE = re.compile(
    rb"^([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.MULTILINE
)


def plain_header_values(head: bytes) -> dict[str, list[str]] | None:
    """The header values the email package's compat32 parser reads from the header block
    `head` (its ending line breaks may be left on), by lowercase name in order, when every
    line is a plain ASCII header or continuation line (found by two regular expressions
    instead of the parser); None for any other block, which the parser must read."""
    head = head.rstrip(b"\r\n")
    if _PLAIN_HEAD_RE.fullmatch(head) is None:
        return None
    values: dict[str, list[str]] = {}
    for found in _PLAIN_HEADER_RE.finditer(head):
        name, value = found.group(1).decode("ascii").lower(), found.group(2).decode("ascii")
        values.setdefault(name, []).append(value)
    return values
