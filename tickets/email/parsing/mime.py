"""The MIME walk: one pass over the tree sorts parts into body text, HTML and attachments,
recovering what it can from broken multiparts, forwarded messages and delivery reports."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import Message

from tickets.email.parsing.attachments import content_type_for, sanitize_filename
from tickets.email.parsing.automated import dsn_failed_recipients
from tickets.email.parsing.charsets import decode_text
from tickets.email.parsing.headers import decode_encoded_words, desurrogate
from tickets.email.parsing.html import html_nesting_estimate, html_to_text, sanitize_html
from tickets.email.parsing.result import (
    DELIVERY_STATUS_FILENAME,
    FORWARDED_FILENAME,
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    MAX_HTML_NESTING,
    MAX_PARTS,
    ParsedAttachment,
)
from tickets.email.parsing.text import CONTROL_RE, WS_RE, clean_header, normalize_newlines

_BODY_TYPES = ("text/plain", "text/html")
_BOUNDARY_LINE_RE = re.compile(
    rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?\n(?=Content-)", re.MULTILINE
)
_MESSAGE_TYPES = ("message/rfc822", "message/global")
_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")


class BodyCollector:
    """Walk the MIME tree once, sorting parts into body text, HTML and attachments."""

    def __init__(self, defects: list[str]) -> None:
        self.defects = defects
        self.plain: list[str] = []
        self.html: list[str] = []
        self.fallback_text: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.parts: list[Message] = []
        self.is_dsn = False
        self.dsn_recipients: list[str] = []
        self._forwarded = 0

    def visit(self, part: Message, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.defects.append(
                f"MIME nesting deeper than {MAX_DEPTH} levels; deeper parts ignored"
            )
            return
        if len(self.parts) >= MAX_PARTS:
            self.defects.append(f"more than {MAX_PARTS} MIME parts; the rest were ignored")
            return
        self.parts.append(part)
        ctype = _safe_content_type(part)
        if ctype in _MESSAGE_TYPES:
            self._add_forwarded(part)
        elif ctype in _DSN_TYPES:
            self._add_delivery_status(part)
        elif part.is_multipart():
            self._visit_multipart(part, ctype, depth)
        elif ctype.startswith("multipart/"):
            self._visit_broken_multipart(part, ctype, depth)
        elif ctype in _BODY_TYPES and _is_body_part(part):
            self._add_body(part, ctype)
        else:
            self._add_attachment(part, ctype, _payload_bytes(part))

    def _visit_multipart(self, part: Message, ctype: str, depth: int) -> None:
        if ctype == "multipart/report" and _safe_param(part, "report-type") == "delivery-status":
            self.is_dsn = True
        for child in part.get_payload():
            if isinstance(child, Message):
                self.visit(child, depth + 1)

    def _visit_broken_multipart(self, part: Message, ctype: str, depth: int) -> None:
        """Recover parts written with a boundary other than the declared one, else keep text."""
        payload = _payload_bytes(part)
        match = _BOUNDARY_LINE_RE.search(payload)
        if match:
            boundary = match.group(1).decode("ascii", "replace")
            header = f'Content-Type: {ctype}; boundary="{boundary}"\n\n'.encode()
            try:
                recovered = email.message_from_bytes(header + payload, policy=part.policy)
            except Exception:  # recovery is best effort; the text fallback follows
                recovered = None
            if recovered is not None and recovered.is_multipart():
                self.defects.append(
                    f"{ctype} boundary not found; recovered parts using {boundary!r}"
                )
                self._visit_multipart(recovered, ctype, depth)
                return
        self.defects.append(f"{ctype} body has no readable parts (bad boundary); kept as text")
        self._add_body(part, "text/plain")

    def _add_body(self, part: Message, ctype: str) -> None:
        data = _payload_bytes(part)
        charset = _safe_charset(part)
        text, problem = decode_text(data, charset)
        if problem:
            self.defects.append(f"{ctype} part: {problem}")
        if text is None:
            # Undecodable text is kept byte-exact as a file; replaced text is a last resort.
            self._add_attachment(part, ctype, data)
            rendered = data.decode("utf-8", "replace")
            self.fallback_text.append(html_to_text(rendered) if ctype == "text/html" else rendered)
            return
        if "\x00" in text:
            self.defects.append(f"{ctype} part contains NUL characters; removed")
            text = text.replace("\x00", "")
        (self.html if ctype == "text/html" else self.plain).append(normalize_newlines(text))

    def _add_forwarded(self, part: Message) -> None:
        self._forwarded += 1
        name = (
            FORWARDED_FILENAME
            if self._forwarded == 1
            else f"forwarded-message-{self._forwarded}.eml"
        )
        self._add_attachment(part, "message/rfc822", _embedded_message_bytes(part), filename=name)

    def _add_delivery_status(self, part: Message) -> None:
        content = _embedded_message_bytes(part)
        self.dsn_recipients.extend(dsn_failed_recipients(content.decode("utf-8", "replace")))
        ctype = _safe_content_type(part)
        self._add_attachment(part, ctype, content, filename=DELIVERY_STATUS_FILENAME)

    def _add_attachment(
        self, part: Message, ctype: str, content: bytes, filename: str | None = None
    ) -> None:
        if len(self.attachments) >= MAX_ATTACHMENTS:
            self.defects.append(f"more than {MAX_ATTACHMENTS} attachments; the rest were dropped")
            return
        name = filename or _safe_filename_param(part, self.defects)
        sniffed = content_type_for(content, declared=ctype, filename=name)
        content_id = _content_id(part)
        disposition = _safe_disposition(part)
        attachment = ParsedAttachment(
            filename=sanitize_filename(name, index=len(self.attachments) + 1, content_type=sniffed),
            content_type=sniffed,
            declared_content_type=ctype,
            content=content,
            inline=disposition == "inline"
            or (content_id is not None and disposition != "attachment"),
            content_id=content_id,
        )
        self.attachments.append(attachment)

    def text_and_html(self) -> tuple[str, str | None]:
        html_source = "".join(self.html) if self.html else None
        text = _join_parts(self.plain)
        if not text.strip() and html_source is not None:
            text = html_to_text(html_source)
        if not text.strip() and self.fallback_text:
            text = _join_parts(normalize_newlines(t) for t in self.fallback_text)
        if html_source is not None and html_nesting_estimate(html_source) > MAX_HTML_NESTING:
            self.defects.append(f"HTML nested deeper than {MAX_HTML_NESTING}; kept as text only")
        html = sanitize_html(html_source).strip() if html_source is not None else None
        return text, html

    def collect_part_defects(self) -> None:
        for part in self.parts:
            for defect in getattr(part, "defects", ()):
                self.defects.append(_describe_defect(defect))


def _join_parts(parts: Iterable[str]) -> str:
    """Concatenate body parts, each starting on a new line."""
    chunks: list[str] = []
    for part in parts:
        if chunks and not chunks[-1].endswith("\n"):
            chunks.append("\n")
        chunks.append(part)
    return "".join(chunks)


def _describe_defect(defect: object) -> str:
    detail = str(defect)
    if not detail:
        doc = (type(defect).__doc__ or "").strip().splitlines()
        detail = doc[0] if doc else ""
    return f"{type(defect).__name__}: {detail}".rstrip(": ")


def _is_body_part(part: Message) -> bool:
    return _safe_disposition(part) != "attachment" and not _safe_filename_param(part, [])


def _safe_content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _safe_param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value).strip().lower() if value is not None else None


def _safe_charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = _safe_param(part, "charset")
    return clean_header(str(charset)).strip("\"'").lower() if charset else None


def _safe_disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _safe_filename_param(part: Message, defects: list[str]) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = _safe_param(part, "filename") or _safe_param(part, "name")
    if not name:
        return None
    name = desurrogate(str(name))
    return decode_encoded_words(name, defects) if "=?" in name else name


def _content_id(part: Message) -> str | None:
    try:
        values = part.get_all("Content-ID") or []
    except Exception:
        values = []
    if not values:
        return None
    value = WS_RE.sub("", CONTROL_RE.sub("", desurrogate(str(values[0])))).strip("<>")
    return value or None


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    try:
        payload = part.get_payload()
    except Exception:
        return b""
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _embedded_message_bytes(part: Message) -> bytes:
    """Serialize an embedded message (or DSN field blocks) back to bytes."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _payload_bytes(part)
    chunks = []
    for item in payload:
        try:
            chunks.append(item.as_bytes(policy=email.policy.compat32))
        except Exception:
            chunks.append(str(item).encode("utf-8", "surrogateescape"))
    return b"\n".join(chunks)
