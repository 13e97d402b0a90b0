"""``parse_message``: a ParsedEmail assembled from the headers, the MIME walk and the checks
for automated mail; the lenient compat32 policy when the modern one fails, the raw text when
both do."""

from __future__ import annotations

import email
import email.policy
import re
from email.headerregistry import HeaderRegistry
from email.message import Message

from tickets.email.parsing.automated import (
    auto_submitted_reason,
    bounced_recipients,
    looks_like_bounce,
)
from tickets.email.parsing.headers import (
    HeaderReader,
    audit_headers,
    decode_encoded_words,
    read_return_path,
)
from tickets.email.parsing.mime import BodyCollector
from tickets.email.parsing.replies import extract_reply_text
from tickets.email.parsing.result import (
    MAX_DEFECT_CHARS,
    MAX_DEFECTS,
    MAX_REFERENCES,
    EmailParseError,
    ParsedEmail,
)
from tickets.email.parsing.text import clean_header, dedupe, normalize_newlines


def parse_message(raw: bytes) -> ParsedEmail:
    """Parse ``raw`` RFC 5322 bytes; raise ``EmailParseError`` only for empty input."""
    data = _as_bytes(raw)
    if not data.strip():
        raise EmailParseError("empty message")
    try:
        return _parse(email.message_from_bytes(data, policy=_modern_policy()), [])
    except Exception as exc:  # fall back to the lenient policy
        note = f"modern email policy failed ({type(exc).__name__}: {exc}); parsed with compat32"
    try:
        return _parse(email.message_from_bytes(data, policy=email.policy.compat32), [note])
    except Exception as exc:  # last resort keeps the raw text
        return _parse_minimal(data, [note, f"parser failed ({type(exc).__name__}: {exc})"])


class _HeaderClasses(HeaderRegistry):
    """The default header factory, making each header class once: the standard one builds a
    new class (`type(...)`) for every header it parses."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[type, type] = {}

    def __getitem__(self, name):
        kind = self.registry.get(name.lower(), self.default_class)
        made = self._made.get(kind)
        if made is None:
            made = self._made[kind] = super().__getitem__(name)
        return made


# The MIME headers of body parts and attachments repeat from mail to mail ("text/plain;
# charset=utf-8", "base64", "inline"): parsed once per process, not per mail. A multipart
# type carries its mail's own boundary and is parsed per mail.
_SHARED_HEADERS = frozenset(
    {"content-type", "content-transfer-encoding", "content-disposition", "mime-version"}
)
_SHARED_MAX_CHARS = 200
_SHARED_MAX_ENTRIES = 1024
_SHARED_MEMO: dict[tuple[str, str], object] = {}


class _HeaderMemoPolicy(email.policy.EmailPolicy):
    """email.policy.default, whose parsed headers are kept for one message: the default
    policy parses a header anew on every access, and the MIME walk and the header readers ask
    for the same Content-Type or Content-Disposition several times per part. The header
    objects are immutable; a header set on the message (never done here) is not memoized."""

    header_memo: dict | None = None

    def header_fetch_parse(self, name, value):
        if self.header_memo is None or hasattr(value, "name"):
            return super().header_fetch_parse(name, value)
        key = (name, value)
        header = self.header_memo.get(key)
        if header is None:
            header = self.header_memo[key] = self._shared_or_parsed(name, value)
        return header

    def _shared_or_parsed(self, name, value):
        if (
            len(value) > _SHARED_MAX_CHARS
            or name.lower() not in _SHARED_HEADERS
            or "multipart/" in value.lower()
        ):
            return super().header_fetch_parse(name, value)
        key = (name, value)
        header = _SHARED_MEMO.get(key)
        if header is None:
            if len(_SHARED_MEMO) >= _SHARED_MAX_ENTRIES:
                _SHARED_MEMO.clear()
            header = _SHARED_MEMO[key] = super().header_fetch_parse(name, value)
        return header


# The settings of email.policy.default.
_MEMO_POLICY = _HeaderMemoPolicy(header_factory=_HeaderClasses())


def _modern_policy() -> email.policy.EmailPolicy:
    """A policy with its own memo, for one message (and the parts recovered from it)."""
    return _MEMO_POLICY.clone(header_memo={})


def _as_bytes(raw: bytes) -> bytes:
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    if raw is None:
        return b""
    return bytes(raw)


def _parse(msg: Message, defects: list[str]) -> ParsedEmail:
    headers = HeaderReader(msg, defects)
    body = BodyCollector(defects)
    body.visit(msg, depth=0)
    body.collect_part_defects()
    envelope = _read_envelope(headers)
    text, html = body.text_and_html()
    return_path = read_return_path(headers)
    is_bounce = body.is_dsn or looks_like_bounce(headers, envelope, return_path)
    return ParsedEmail(
        **envelope,
        text=text,
        html=html,
        reply_text=extract_reply_text(text),
        attachments=body.attachments,
        auto_submitted_reason=auto_submitted_reason(headers, envelope, return_path, is_bounce),
        is_bounce=is_bounce,
        bounced_recipients=bounced_recipients(
            headers,
            dsn_recipients=body.dsn_recipients,
            is_dsn=body.is_dsn,
            text=text,
            is_bounce=is_bounce,
        ),
        return_path=return_path,
        headers=audit_headers(headers),
        defects=_finish_defects(defects),
    )


def _read_envelope(headers: HeaderReader) -> dict:
    from_name, from_email = headers.first_address("From")
    subject_values = headers.unstructured("Subject")
    if from_email is None:
        headers.defects.append("no usable From address")
    return {
        "message_id": headers.message_id(),
        "in_reply_to": headers.msg_ids("In-Reply-To"),
        "references": headers.msg_ids("References", limit=MAX_REFERENCES),
        "from_email": from_email,
        "from_name": from_name,
        "to": headers.addresses("To"),
        "cc": headers.addresses("Cc"),
        "delivered_to": headers.addresses("Delivered-To", "X-Original-To", "Envelope-To"),
        "reply_to": headers.addresses("Reply-To"),
        "subject": subject_values[0] if subject_values else "",
        "date": headers.date(),
    }


def _parse_minimal(data: bytes, defects: list[str]) -> ParsedEmail:
    """Build a ParsedEmail from raw bytes when no email parser could read them."""
    parts = re.split(rb"\r?\n\r?\n", data, maxsplit=1)
    head, body = (parts[0], parts[1]) if len(parts) == 2 else (b"", data)
    text = normalize_newlines(body.decode("utf-8", "replace")).replace("\x00", "")
    subject = ""
    match = re.search(rb"^Subject:[ \t]*(.*)$", head, re.IGNORECASE | re.MULTILINE)
    if match:
        subject = clean_header(decode_encoded_words(match.group(1).decode("utf-8", "replace"), []))
    return ParsedEmail(
        message_id=None,
        in_reply_to=[],
        references=[],
        from_email=None,
        from_name="",
        to=[],
        cc=[],
        delivered_to=[],
        reply_to=[],
        subject=subject,
        date=None,
        text=text,
        html=None,
        reply_text=extract_reply_text(text),
        attachments=[],
        auto_submitted_reason=None,
        is_bounce=False,
        bounced_recipients=[],
        return_path=None,
        headers={},
        defects=_finish_defects(defects),
    )


def _finish_defects(defects: list[str]) -> list[str]:
    """Deduplicate and bound the defect list: hostile input can produce thousands."""
    unique = [defect[:MAX_DEFECT_CHARS] for defect in dedupe(defects)]
    if len(unique) <= MAX_DEFECTS:
        return unique
    return [*unique[:MAX_DEFECTS], f"... and {len(unique) - MAX_DEFECTS} more defects"]
