"""Turn a raw RFC 5322 message into a normalized, safe ``ParsedEmail``.

Pure Python, no Django: the email ingest service calls ``parse_message`` and
decides reply-vs-new-ticket from the result. Parsing never raises on bad input
(only on empty input); every problem found is listed in ``ParsedEmail.defects``.

Safety rules applied here, so callers need not repeat them:
- every header value returned has CR/LF and other control characters removed;
- ``html`` is sanitized with nh3, ``text`` is plain text to be escaped on output;
- attachment names carry no path and no control or bidi characters, and the
  content type is sniffed from the bytes where puremagic recognizes them;
- pathological input is bounded (depth, part and attachment counts) with defects.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import email
import email.policy
import email.utils
import mimetypes
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from html import escape as escape_html
from html.parser import HTMLParser

import nh3
import puremagic
from mailparser_reply import EmailMessage as _ReplyMessage

MAX_ATTACHMENTS = 100
MAX_DEPTH = 20
MAX_PARTS = 1000
MAX_REFERENCES = 200
MAX_HTML_NESTING = 1000
MAX_AUDIT_HEADER_CHARS = 2000
MAX_DEFECTS = 50
MAX_DEFECT_CHARS = 300

FORWARDED_FILENAME = "forwarded-message.eml"
DELIVERY_STATUS_FILENAME = "delivery-status.txt"


class EmailParseError(ValueError):
    """The input is empty: there is no message to parse."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    declared_content_type: str
    content: bytes
    inline: bool
    content_id: str | None


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    from_email: str | None
    from_name: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    reply_to: list[str]
    subject: str
    date: datetime | None
    text: str
    html: str | None
    reply_text: str
    attachments: list[ParsedAttachment]
    auto_submitted_reason: str | None
    is_bounce: bool
    bounced_recipients: list[str]
    return_path: str | None
    headers: dict[str, str]
    defects: list[str]


# --------------------------------------------------------------------------
# Public helpers
# --------------------------------------------------------------------------

_TICKET_NUMBER = r"[A-Za-z][A-Za-z0-9]{0,15}-(?:\d{4}-)?\d{1,12}(?:-[A-Za-z0-9]{1,10})?"
_BRACKETED_TICKET_RE = re.compile(rf"\[\s*#?({_TICKET_NUMBER})\s*\]")
_BARE_TICKET_RE = re.compile(rf"(?<![A-Za-z0-9-])#?({_TICKET_NUMBER})(?![A-Za-z0-9-])")
_MAX_TICKET_CANDIDATES = 10


def extract_ticket_number_candidates(subject: str) -> list[str]:
    """Return ticket-number-like tokens of ``subject``, bracketed ones first, uppercased."""
    candidates: list[str] = []
    for pattern in (_BRACKETED_TICKET_RE, _BARE_TICKET_RE):
        for match in pattern.finditer(subject or ""):
            token = match.group(1).upper()
            if token not in candidates:
                candidates.append(token)
    return candidates[:_MAX_TICKET_CANDIDATES]


_REPLY_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def extract_reply_token(addresses: Iterable[str]) -> str | None:
    """Return the plus-address token of the first ``local+token@domain`` address.

    Accepts bare addresses or whole header values ("Name <a@b>, c@d"); the token keeps
    its case, so pass raw header values (``ParsedEmail.headers["To"]``) when case matters.
    """
    values = [_clean_header(a) for a in addresses if isinstance(a, str)]
    try:
        parsed = [addr for _name, addr in email.utils.getaddresses(values)]
    except Exception:  # a hostile header must not break token lookup
        parsed = values
    for addr in parsed:
        local, at, _domain = addr.strip().strip("<>").rpartition("@")
        _mailbox, plus, token = local.partition("+")
        if at and plus and _REPLY_TOKEN_RE.fullmatch(token):
            return token
    return None


def sanitize_html(html: str) -> str:
    """Return ``html`` cleaned for display inside the desk (no script, no handlers).

    Markup nested deeper than ``MAX_HTML_NESTING`` (the sanitizer is quadratic in depth)
    comes back as its escaped text rendering in a ``<pre>``.
    """
    if _html_nesting_estimate(html or "") > MAX_HTML_NESTING:
        return f"<pre>{escape_html(html_to_text(html))}</pre>"
    return _html_cleaner().clean(html or "")


def html_to_text(html: str) -> str:
    """Render ``html`` as readable plain text; quoted blocks become "> " lines."""
    extractor = _HtmlTextExtractor()
    with contextlib.suppress(Exception):  # a renderer must not fail on hostile markup
        extractor.feed(html or "")
        extractor.close()
    return extractor.result()


def extract_reply_text(text: str) -> str:
    """Return ``text`` without quoted history and signature; ``text`` itself if nothing is left."""
    if not text or not text.strip():
        return text
    reply = _library_reply(text)
    reply = _strip_quoted_fallback(text if reply is None else reply)
    return reply if reply.strip() else text


def parse_message(raw: bytes) -> ParsedEmail:
    """Parse ``raw`` RFC 5322 bytes; raise ``EmailParseError`` only for empty input."""
    data = _as_bytes(raw)
    if not data.strip():
        raise EmailParseError("empty message")
    try:
        return _parse(email.message_from_bytes(data, policy=email.policy.default), [])
    except Exception as exc:  # fall back to the lenient policy
        note = f"modern email policy failed ({type(exc).__name__}: {exc}); parsed with compat32"
    try:
        return _parse(email.message_from_bytes(data, policy=email.policy.compat32), [note])
    except Exception as exc:  # last resort keeps the raw text
        return _parse_minimal(data, [note, f"parser failed ({type(exc).__name__}: {exc})"])


# --------------------------------------------------------------------------
# Whole-message assembly
# --------------------------------------------------------------------------


def _as_bytes(raw: bytes) -> bytes:
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    if raw is None:
        return b""
    return bytes(raw)


def _parse(msg: Message, defects: list[str]) -> ParsedEmail:
    headers = _HeaderReader(msg, defects)
    body = _BodyCollector(defects)
    body.visit(msg, depth=0)
    body.collect_part_defects()
    envelope = _read_envelope(headers)
    text, html = body.text_and_html()
    return_path = _return_path(headers)
    is_bounce = body.is_dsn or _looks_like_bounce(headers, envelope, return_path)
    return ParsedEmail(
        **envelope,
        text=text,
        html=html,
        reply_text=extract_reply_text(text),
        attachments=body.attachments,
        auto_submitted_reason=_auto_submitted_reason(headers, envelope, return_path, is_bounce),
        is_bounce=is_bounce,
        bounced_recipients=_bounced_recipients(headers, body, text, is_bounce),
        return_path=return_path,
        headers=_audit_headers(headers),
        defects=_finish_defects(defects),
    )


def _read_envelope(headers: _HeaderReader) -> dict:
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
    text = _normalize_newlines(body.decode("utf-8", "replace")).replace("\x00", "")
    subject = ""
    match = re.search(rb"^Subject:[ \t]*(.*)$", head, re.IGNORECASE | re.MULTILINE)
    if match:
        subject = _clean_header(
            _decode_encoded_words(match.group(1).decode("utf-8", "replace"), [])
        )
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


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _finish_defects(defects: list[str]) -> list[str]:
    """Deduplicate and bound the defect list: hostile input can produce thousands."""
    unique = [defect[:MAX_DEFECT_CHARS] for defect in _dedupe(defects)]
    if len(unique) <= MAX_DEFECTS:
        return unique
    return [*unique[:MAX_DEFECTS], f"... and {len(unique) - MAX_DEFECTS} more defects"]


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Bidi embeddings, overrides and isolates: used to spoof names, subjects and extensions.
_BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_WS_RE = re.compile(r"\s+")
_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_ENCODED_GAP_RE = re.compile(r"(\?=)\s+(=\?)")
_ANGLE_RE = re.compile(r"<([^<>]*)>")


def _desurrogate(value: str) -> str:
    """Turn surrogate-escaped raw 8-bit header bytes back into text (UTF-8, else cp1252)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    for charset in ("utf-8", "cp1252"):
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # never fails: every byte is a latin-1 character


def _clean_header(value: str) -> str:
    """Remove CR/LF and control characters, collapse whitespace."""
    return _WS_RE.sub(" ", _CONTROL_RE.sub(" ", _BIDI_RE.sub("", value))).strip()


def _decode_encoded_words(value: str, defects: list[str]) -> str:
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
    codec = _lookup_codec(charset)
    if codec is None:
        defects.append(f"unknown charset {charset!r} in header")
        return data.decode("utf-8", "replace")
    return data.decode(codec, "replace")


def _decode_q(payload: str) -> bytes:
    raw = payload.replace("_", " ").encode("ascii", "replace")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


class _HeaderReader:
    """Read header values defensively: modern objects first, raw values as fallback."""

    def __init__(self, msg: Message, defects: list[str]) -> None:
        self.msg = msg
        self.defects = defects

    def raw(self, name: str) -> list[str]:
        wanted = name.lower()
        try:
            items = list(self.msg.raw_items())
        except Exception:
            return []
        return [_desurrogate(str(value)) for key, value in items if str(key).lower() == wanted]

    def unstructured(self, name: str) -> list[str]:
        return [_clean_header(_decode_encoded_words(v, self.defects)) for v in self.raw(name)]

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
        ids = _dedupe(ids)
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
            parsed = email.utils.parsedate_to_datetime(_clean_header(values[0]))
        except (TypeError, ValueError, IndexError, OverflowError):
            self.defects.append(f"unparseable Date header: {_clean_header(values[0])[:80]!r}")
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def address_pairs(self, *names: str) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name in names:
            pairs.extend(self._modern_addresses(name) or self._raw_addresses(name))
        return [(name, addr) for name, addr in pairs if addr]

    def addresses(self, *names: str) -> list[str]:
        return _dedupe(addr for _name, addr in self.address_pairs(*names))

    def first_address(self, name: str) -> tuple[str, str | None]:
        pairs = self.address_pairs(name)
        return (_clean_header(_desurrogate(pairs[0][0])), pairs[0][1]) if pairs else ("", None)

    def _modern_addresses(self, name: str) -> list[tuple[str, str]]:
        try:
            found = []
            for header in self.msg.get_all(name) or []:
                for address in getattr(header, "addresses", ()):
                    found.append((address.display_name, _clean_address(address.addr_spec)))
            return found
        except Exception:  # modern parser choked, use the raw value
            return []

    def _raw_addresses(self, name: str) -> list[tuple[str, str]]:
        values = self.raw(name)
        try:
            pairs = email.utils.getaddresses([_clean_header(v) for v in values])
        except Exception:
            return []
        return [(_decode_encoded_words(n, self.defects), _clean_address(a)) for n, a in pairs]


def _clean_msg_id(value: str) -> str:
    return _WS_RE.sub("", _CONTROL_RE.sub("", value)).strip("<>")


_ADDRESS_FORBIDDEN_RE = re.compile(r'[\s<>,;()\[\]\\"]')


def _clean_address(value: str) -> str:
    """Lowercase a mailbox address; "" when it is not a plain, safe ``local@domain``."""
    address = _clean_header(value or "").strip("<>").lower()
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or _ADDRESS_FORBIDDEN_RE.search(address):
        return ""
    return address


def _return_path(headers: _HeaderReader) -> str | None:
    """Return the Return-Path address; "" for the null reverse path ``<>``."""
    values = headers.raw("Return-Path")
    if not values:
        return None
    value = _clean_header(values[0])
    match = _ANGLE_RE.search(value)
    return _clean_header(match.group(1) if match else value).lower()


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


def _audit_headers(headers: _HeaderReader) -> dict[str, str]:
    audit: dict[str, str] = {}
    for name in _AUDIT_HEADERS:
        value = headers.first(name)
        if value is not None:
            audit[name] = value[:MAX_AUDIT_HEADER_CHARS]
    return audit


# --------------------------------------------------------------------------
# Automated mail and bounces (RFC 3834, RFC 3464)
# --------------------------------------------------------------------------

_AUTOREPLY_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "X-Autogenerated",
    "X-AutoReply-From",
    "X-Mail-Autoreply",
)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_SUPPRESS_TOKENS = {"all", "autoreply", "oof"}
_AUTOREPLY_SUBJECT_RE = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoresponse|out of (the )?office( reply| autoreply)?|"
    r"automatische antwort|abwesenheitsnotiz|r[ée]ponse automatique|respuesta autom[áa]tica|"
    r"autosvar)\s*:",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|delivery status notification|mail delivery (failed|failure|subsystem)|"
    r"returned mail|failure notice|delivery fail|non[- ]?delivery|"
    r"could not be delivered|unzustellbar",
    re.IGNORECASE,
)
_DAEMON_LOCALS = {"mailer-daemon", "mailer_daemon", "postmaster"}


def _auto_submitted_reason(
    headers: _HeaderReader, envelope: dict, return_path: str | None, is_bounce: bool
) -> str | None:
    """Say why this mail must get no auto-response (RFC 3834), or None for a human mail."""
    precedence = (headers.first("Precedence") or "").lower()
    checks = (
        (_header_says_yes(headers, "Auto-Submitted"), "auto-submitted"),
        (any(_header_says_yes(headers, name) for name in _AUTOREPLY_HEADERS), "x-autoreply"),
        (headers.first("List-Id") is not None, "list-id"),
        (headers.first("List-Unsubscribe") is not None, "list-unsubscribe"),
        (precedence in _BULK_PRECEDENCE, f"precedence:{precedence}"),
        (_suppresses_autoreply(headers), "x-auto-response-suppress"),
        (return_path == "", "null-return-path"),
        (is_bounce, "bounce"),
        (bool(_AUTOREPLY_SUBJECT_RE.match(envelope["subject"])), "subject:auto-reply"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _header_says_yes(headers: _HeaderReader, name: str) -> bool:
    value = headers.first(name)
    return value is not None and value.split(";")[0].strip().lower() not in {"no", "false", "0", ""}


def _suppresses_autoreply(headers: _HeaderReader) -> bool:
    value = (headers.first("X-Auto-Response-Suppress") or "").lower()
    return bool(_SUPPRESS_TOKENS & {token.strip() for token in value.split(",")})


def _looks_like_bounce(headers: _HeaderReader, envelope: dict, return_path: str | None) -> bool:
    """Recognize non-DSN bounces: mailer-daemon senders, X-Failed-Recipients, bounce subjects."""
    if headers.raw("X-Failed-Recipients"):
        return True
    local = (envelope["from_email"] or "").partition("@")[0]
    if local in ("mailer-daemon", "mailer_daemon"):
        return True
    daemonish = (
        local in _DAEMON_LOCALS
        or return_path == ""
        or "mail delivery" in envelope["from_name"].lower()
    )
    return daemonish and bool(_BOUNCE_SUBJECT_RE.search(envelope["subject"]))


_QMAIL_RECIPIENT_RE = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:\s*$", re.MULTILINE)


def _bounced_recipients(
    headers: _HeaderReader, body: _BodyCollector, text: str, is_bounce: bool
) -> list[str]:
    if not is_bounce:
        return []
    found = list(body.dsn_recipients)
    for value in headers.raw("X-Failed-Recipients"):
        found.extend(_clean_address(v) for v in value.split(","))
    if not body.is_dsn:
        found.extend(_clean_address(m) for m in _QMAIL_RECIPIENT_RE.findall(text))
    return _dedupe(found)


# --------------------------------------------------------------------------
# Body: MIME walk
# --------------------------------------------------------------------------

_BODY_TYPES = ("text/plain", "text/html")
_BOUNDARY_LINE_RE = re.compile(
    rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?\n(?=Content-)", re.MULTILINE
)
_MESSAGE_TYPES = ("message/rfc822", "message/global")
_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")


class _BodyCollector:
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
        text, problem = _decode_text(data, charset)
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
        (self.html if ctype == "text/html" else self.plain).append(_normalize_newlines(text))

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
        self.dsn_recipients.extend(_dsn_failed_recipients(content.decode("utf-8", "replace")))
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
            text = _join_parts(_normalize_newlines(t) for t in self.fallback_text)
        if html_source is not None and _html_nesting_estimate(html_source) > MAX_HTML_NESTING:
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


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    return _clean_header(str(charset)).strip("\"'").lower() if charset else None


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
    name = _desurrogate(str(name))
    return _decode_encoded_words(name, defects) if "=?" in name else name


def _content_id(part: Message) -> str | None:
    try:
        values = part.get_all("Content-ID") or []
    except Exception:
        values = []
    if not values:
        return None
    value = _WS_RE.sub("", _CONTROL_RE.sub("", _desurrogate(str(values[0])))).strip("<>")
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


_FINAL_RECIPIENT_RE = re.compile(
    r"^Final-Recipient:\s*(?:[^;\n]*;)?\s*(.+)$", re.IGNORECASE | re.MULTILINE
)
_ACTION_RE = re.compile(r"^Action:\s*([\w-]+)", re.IGNORECASE | re.MULTILINE)


def _dsn_failed_recipients(status_text: str) -> list[str]:
    """Return the Final-Recipient of each DSN block whose Action is failed (or missing)."""
    recipients = []
    for block in re.split(r"\n\s*\n", _normalize_newlines(status_text)):
        recipient = _FINAL_RECIPIENT_RE.search(block)
        action = _ACTION_RE.search(block)
        if recipient and (action is None or action.group(1).lower() == "failed"):
            recipients.append(_clean_address(recipient.group(1)))
    return [r for r in recipients if r]


# --------------------------------------------------------------------------
# Charsets
# --------------------------------------------------------------------------

_CHARSET_ALIASES = {
    "x-sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "x-mac-roman": "mac_roman",
    "unicode-1-1-utf-7": "utf-7",
    "ks_c_5601": "cp949",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "cp-1252": "cp1252",
}
# Mail clients routinely send bytes of the common superset under the narrower label.
_CHARSET_SUPERSETS = {
    "ascii": ("ascii", "utf-8"),
    "utf-8": ("utf-8-sig",),  # same as UTF-8, minus a leading byte-order mark
    "iso8859-1": ("cp1252", "latin-1"),
    "iso2022_jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"),
    "shift_jis": ("shift_jis", "cp932"),
    "euc_jp": ("euc_jp", "euc_jis_2004"),
    "gb2312": ("gb2312", "gbk", "gb18030"),
    "gbk": ("gbk", "gb18030"),
    "big5": ("big5", "big5hkscs"),
    "euc_kr": ("euc_kr", "cp949"),
}
# Codecs that are not charsets, or that would interpret backslashes in the text.
_REJECTED_CODECS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}


def _lookup_codec(charset: str) -> str | None:
    name = _CHARSET_ALIASES.get(charset.strip().strip("\"'").lower(), charset.strip().strip("\"'"))
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REJECTED_CODECS:
        return None
    return info.name


def _decode_text(data: bytes, charset: str | None) -> tuple[str | None, str | None]:
    """Decode a text part: (text, problem); text is None when it must stay an attachment."""
    if charset is None:
        return _decode_undeclared(data)
    codec = _lookup_codec(charset)
    if codec is None:
        return None, f"unknown charset {charset!r}; kept as attachment"
    for candidate in _CHARSET_SUPERSETS.get(codec, (codec,)):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        mislabel = candidate != codec and codec == "ascii"
        return text, (
            f"declared {charset!r} but contains 8-bit text; decoded as UTF-8" if mislabel else None
        )
    return None, f"bytes are not valid {charset!r}; kept as attachment"


def _decode_undeclared(data: bytes) -> tuple[str, str | None]:
    """RFC 2045 says US-ASCII; in practice it is UTF-8, else a Windows code page."""
    for charset in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(charset)
        except UnicodeDecodeError:
            continue
        if charset == "utf-8-sig":
            return text, None
        return text, "no charset declared and not UTF-8; decoded as windows-1252"
    return data.decode("latin-1"), "no charset declared and not UTF-8; decoded as ISO-8859-1"


# --------------------------------------------------------------------------
# Attachment names and types
# --------------------------------------------------------------------------

# Only the built-in table: the machine's /etc/mime.types must not change attachment names.
_MIME_TABLE = mimetypes.MimeTypes(filenames=())
_EXTENSION_OVERRIDES = {"message/rfc822": ".eml", "text/calendar": ".ics", "image/jpeg": ".jpg"}
_FILENAME_FORBIDDEN_RE = re.compile(r'[<>:"|?*]')
_MAX_FILENAME_BYTES = 200
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
# puremagic's two-byte signatures (BM, MZ ...) match ordinary text too often.
_MIN_SNIFF_CONFIDENCE = 0.3


def sanitize_filename(name: str | None, *, index: int, content_type: str) -> str:
    """Return a safe base name: no path, no control/bidi characters; else attachment-N.ext."""
    cleaned = ""
    if name:
        base = re.split(r"[\\/]", name)[-1]
        base = "".join(
            ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
        )
        cleaned = _WS_RE.sub(" ", _FILENAME_FORBIDDEN_RE.sub("_", base)).strip(" .")
        cleaned = _truncate_filename(cleaned)
    if not cleaned.strip("._- "):
        return f"attachment-{index}{_extension_for(content_type)}"
    return cleaned


def _truncate_filename(name: str) -> str:
    if len(name.encode("utf-8")) <= _MAX_FILENAME_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    ext = f".{ext}" if dot and len(ext) <= 16 else ""
    stem = stem if dot and ext else name
    budget = _MAX_FILENAME_BYTES - len(ext.encode("utf-8"))
    return stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" .") + ext


def _extension_for(content_type: str) -> str:
    ext = _EXTENSION_OVERRIDES.get(content_type) or _MIME_TABLE.guess_extension(
        content_type, strict=False
    )
    if ext:
        return ext
    return (
        ".txt"
        if content_type.startswith("text/") or content_type.startswith("message/")
        else ".bin"
    )


def content_type_for(content: bytes, *, declared: str, filename: str | None = None) -> str:
    """Sniff the type from the bytes; keep the declared one when it agrees or sniffing is unsure."""
    declared = (declared or "").lower()
    if content and declared not in ("message/rfc822",):
        sniffed = _sniff(content, declared, filename)
        if sniffed:
            return sniffed
    return declared if declared not in ("", "binary/octet-stream") else "application/octet-stream"


def _sniff(content: bytes, declared: str, filename: str | None) -> str | None:
    try:
        matches = [m for m in puremagic.magic_string(content[:65536]) if m.mime_type]
    except Exception:  # puremagic raises PureError when it knows nothing
        return None
    if not matches or any(m.mime_type == declared for m in matches):
        return None
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if filename and "." in filename else None
    by_ext = [m for m in matches if ext and m.extension == ext]
    if by_ext:
        return by_ext[0].mime_type
    best = max(m.confidence for m in matches)
    top = {m.mime_type for m in matches if m.confidence == best}
    if best < _MIN_SNIFF_CONFIDENCE and declared not in _GENERIC_TYPES:
        return None
    if len(top) > 1:
        # Ties are common (every zip-based format shares PK\x03\x04, PDF and FDF share %PDF):
        # only settle them when the sender declared nothing useful.
        if declared not in _GENERIC_TYPES:
            return None
        if "application/zip" in top:
            return "application/zip"
        return next(m.mime_type for m in matches if m.confidence == best)
    return top.pop()


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "a", "abbr", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "tt", "u", "ul",
}  # fmt: skip
_CELL_ATTRS = {"colspan", "rowspan", "align", "valign", "width"}
_ALLOWED_ATTRIBUTES = {
    "*": {"style", "dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": _CELL_ATTRS,
    "th": _CELL_ATTRS,
    "table": {"width", "border", "cellpadding", "cellspacing", "align"},
    "font": {"color", "face", "size"},
    "ol": {"start"},
}
_ALLOWED_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-align", "text-decoration", "vertical-align", "white-space",
}  # fmt: skip
_DROPPED_CONTENT_TAGS = {
    "script", "style", "title", "noscript", "template", "iframe", "object", "embed", "svg",
    "math", "select", "textarea",
}  # fmt: skip
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_IMAGE_SCHEMES = ("http:", "https:", "cid:")
_cleaner: nh3.Cleaner | None = None


def _html_cleaner() -> nh3.Cleaner:
    global _cleaner
    if _cleaner is None:
        _cleaner = nh3.Cleaner(
            tags=_ALLOWED_TAGS,
            clean_content_tags=_DROPPED_CONTENT_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            attribute_filter=_filter_url_attribute,
            url_schemes={"http", "https", "mailto", "tel", "cid"},
            url_relative="deny",
            link_rel="noopener noreferrer",
            filter_style_properties=_ALLOWED_STYLE_PROPERTIES,
            strip_comments=True,
        )
    return _cleaner


def _filter_url_attribute(tag: str, attr: str, value: str) -> str | None:
    """Allow cid: only for images and http(s)/mailto/tel only for links."""
    lowered = value.strip().lower()
    if attr == "src":
        return value if tag == "img" and lowered.startswith(_IMAGE_SCHEMES) else None
    if attr == "href":
        return value if lowered.startswith(_LINK_SCHEMES) else None
    return value


_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template", "svg", "xml"}
_BLOCK_TAGS = {
    "address", "article", "aside", "center", "dd", "div", "dl", "dt", "figure", "footer",
    "form", "header", "li", "main", "nav", "ol", "section", "table", "tr", "ul",
}  # fmt: skip
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}


_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*>")
# Void elements and elements whose end tag may be omitted do not add nesting.
_FLAT_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot",
    "colgroup", "option", "optgroup", "rb", "rt", "rp",
}  # fmt: skip


def _html_nesting_estimate(html: str) -> int:
    """Cheap upper bound of element nesting, in one linear scan."""
    depth = peak = 0
    for match in _HTML_TAG_RE.finditer(html):
        if match.group(2).lower() in _FLAT_TAGS or match.group(0).endswith("/>"):
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        peak = max(peak, depth)
    return peak


class _HtmlTextExtractor(HTMLParser):
    """Tiny HTML-to-text renderer: blocks become lines, blockquotes become "> " lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._line: list[str] = []
        self._skip: list[str] = []
        self._pre = 0
        self._quote = 0
        self._links: list[tuple[str, list[str]]] = []
        self._has_text = False
        self._ends_space = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip.append(tag)
        elif tag == "body":
            self._skip = [t for t in self._skip if t not in ("head", "title")]
        elif tag == "br":
            self._newline()
        elif tag in _PARAGRAPH_TAGS or tag in _BLOCK_TAGS:
            self._start_block(tag)
        elif tag in ("td", "th") and self._line:
            self._write(" ")
        elif tag == "a":
            if self._links:  # an <a> start tag closes the open one, as browsers do
                self._end_link()
            self._links.append((dict(attrs).get("href") or "", []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            if tag in self._skip:
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag)]
        elif tag in _PARAGRAPH_TAGS:
            self._paragraph_break()
            if tag == "pre":
                self._pre = max(self._pre - 1, 0)
            elif tag == "blockquote":
                self._quote = max(self._quote - 1, 0)
        elif tag in _BLOCK_TAGS:
            self._break()
        elif tag == "a" and self._links:
            self._end_link()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            for index, chunk in enumerate(_normalize_newlines(data).split("\n")):
                if index:
                    self._newline()
                self._write(chunk)
            return
        text = _WS_RE.sub(" ", data.replace("\xa0", " "))
        if not self._line or self._ends_space:
            text = text.lstrip(" ")
        self._write(text)

    def _start_block(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._paragraph_break()
        else:
            self._break()
        if tag == "pre":
            self._pre += 1
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "li":
            self._write("- ")

    def _end_link(self) -> None:
        href, text_parts = self._links.pop()
        text = "".join(text_parts).strip()
        if href.lower().startswith(("http://", "https://")) and href not in text:
            self._write(f" ({href})" if text else href)

    def _write(self, text: str) -> None:
        if not text:
            return
        self._line.append(text)
        self._has_text = self._has_text or bool(text.strip())
        self._ends_space = text.endswith(" ")
        for _href, parts in self._links:
            parts.append(text)

    def _newline(self) -> None:
        prefix = "> " * self._quote
        self._lines.append((prefix + "".join(self._line)).rstrip())
        self._reset_line()

    def _break(self) -> None:
        if self._has_text:
            self._newline()
        self._reset_line()

    def _reset_line(self) -> None:
        self._line = []
        self._has_text = False
        self._ends_space = False

    def _paragraph_break(self) -> None:
        self._break()
        blank = ">" * self._quote
        if self._lines and self._lines[-1].replace(" ", "") != blank:
            self._lines.append(blank)

    def result(self) -> str:
        self._break()
        text = "\n".join(self._lines)
        text = re.sub(r"\n(?:[ >]*\n){2,}", "\n\n", text)
        return re.sub(r"^(?:[ >]*\n)+|(?:\n[ >]*)+$", "", text)


# --------------------------------------------------------------------------
# Reply extraction
# --------------------------------------------------------------------------

_REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "sv", "da", "pl", "cs", "ja", "ko", "zh"]
_MAX_SIGNATURE_LEAD_CHARS = 40
_REPLY_WINDOW_CHARS = 20_000
_REPLY_WINDOW_LINE_CHARS = 300
_REPLY_WINDOW_LINES = 400
_MAX_MAP_STARTS = 10
_QUOTE_HEADER_RES = (
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*On\s.{0,200}\swrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*--\s?$"),
)
_OUTLOOK_FROM_RE = re.compile(r"^\s*\*?From:\*?\s+\S")
_OUTLOOK_NEXT_RE = re.compile(r"^\s*\*?(Sent|Date|To|Subject):\*?\s", re.IGNORECASE)


def _library_reply(text: str) -> str | None:
    """Latest reply per mail-parser-reply, as original lines; None when it found nothing."""
    lines = _normalize_newlines(text).split("\n")
    window = _reply_parser_window(lines)
    try:
        message = _ReplyMessage(
            text="\n".join(window), languages=list(_REPLY_LANGUAGES), keep_hyphen_lists=True
        ).read()
    except Exception:  # a reply parser bug must not lose the mail
        return None
    if not message.replies:
        return None
    first = message.replies[0]
    content, signature = first.content, first.signatures
    # "Thanks, that fixed it. But ..." matches the signature regex; only cut at short lead lines.
    lead = signature.strip().split("\n", 1)[0] if signature else ""
    cut_signature = bool(signature) and len(lead) <= _MAX_SIGNATURE_LEAD_CHARS
    if len(message.replies) == 1 and not first.headers and not cut_signature:
        return None  # nothing to strip; the window may not be the whole text
    if cut_signature and signature in content:
        content = content[: content.index(signature)]
    if first.headers:
        content = content.replace(first.headers, "")
    return _map_to_original_lines(lines, window, content.strip())


def _reply_parser_window(lines: list[str]) -> list[str]:
    """The head of the text with short lines: the library's regexes are quadratic per line."""
    window: list[str] = []
    budget = _REPLY_WINDOW_CHARS
    for line in lines[:_REPLY_WINDOW_LINES]:
        if budget <= 0:
            break
        # Stripped here as the library strips anyway: long whitespace runs are its slow case.
        window.append(line[:_REPLY_WINDOW_LINE_CHARS].strip())
        budget -= len(window[-1]) + 1
    return window


def _map_to_original_lines(lines: list[str], window: list[str], reply: str) -> str | None:
    """The library strips (and we shortened) every line: find the reply among the original lines."""
    reply_lines = reply.split("\n")
    stripped = [line.strip() for line in window]
    size = len(reply_lines)
    starts = [i for i, line in enumerate(stripped) if line == reply_lines[0]][:_MAX_MAP_STARTS]
    for start in starts:
        if stripped[start : start + size] == reply_lines:
            return "\n".join(lines[start : start + size])
    return None


def _strip_quoted_fallback(text: str) -> str:
    """Cut at the first quote header or signature separator, and drop "> " lines."""
    lines = _normalize_newlines(text).split("\n")
    cut = next((i for i in range(len(lines)) if _starts_quote_history(lines, i)), len(lines))
    kept = [line for line in lines[:cut] if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip("\n").rstrip()


def _starts_quote_history(lines: list[str], index: int) -> bool:
    line = lines[index]
    if any(pattern.match(line) for pattern in _QUOTE_HEADER_RES):
        return True
    # "On Mon, 2 Mar 2026 at 10:00, Jane Doe <jane@example.com>\nwrote:" wrapped by the client.
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if re.match(r"^\s*On\s", line) and re.match(r"^.{0,120}\swrote:\s*$", " " + following):
        return True
    if _OUTLOOK_FROM_RE.match(line):
        return any(_OUTLOOK_NEXT_RE.match(next_line) for next_line in lines[index + 1 : index + 4])
    return False
