"""Mask the raw bytes of an inbound mail before the helpdesk stores them.

The text parts (`text/*`, decoded from base64 or quoted-printable with their charset, also
inside forwarded messages and text attachments) and the Subject header go through `redact`;
a changed part is written back as UTF-8 quoted-printable, a changed Subject as an encoded
word. A mail with nothing to mask is answered byte for byte as it came (its digest, and so
the helpdesk's duplicate detection, is unchanged). Binary attachments (PDF, images) are not
looked into.
"""

from __future__ import annotations

from collections.abc import Callable
from email import charset as email_charset
from email import policy
from email.header import Header, decode_header, make_header
from email.message import Message
from email.parser import BytesParser

Redact = Callable[[str], tuple[str, int]]


def _utf8_qp() -> email_charset.Charset:
    utf8 = email_charset.Charset("utf-8")
    utf8.body_encoding = email_charset.QP
    return utf8


def redact_raw_mail(data: bytes, redact: Redact) -> tuple[bytes, int]:
    """`data` with sensitive values masked in its Subject and text parts, and the count."""
    message = BytesParser(policy=policy.compat32).parsebytes(data)
    total = _redact_subject(message, redact)
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        total += _redact_part(part, redact)
    if not total:
        return data, 0
    return message.as_bytes(), total


def _redact_subject(message: Message, redact: Redact) -> int:
    raw = message.get("Subject")
    if raw is None:
        return 0
    try:
        subject = str(make_header(decode_header(str(raw))))
    except Exception:  # an undecodable header is looked at as it is
        subject = str(raw)
    masked, count = redact(subject)
    if count:
        message.replace_header("Subject", Header(masked, "utf-8").encode())
    return count


def _redact_part(part: Message, redact: Redact) -> int:
    body = part.get_payload(decode=True)
    if not isinstance(body, bytes) or not body:
        return 0
    charset = part.get_content_charset() or "us-ascii"
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        text = body.decode("utf-8", errors="replace")
    masked, count = redact(text)
    if count:
        del part["Content-Transfer-Encoding"]
        part.set_payload(masked, _utf8_qp())
    return count
