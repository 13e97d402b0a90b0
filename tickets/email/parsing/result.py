"""What parsing returns: a ``ParsedEmail`` with its attachments, the error for empty input,
and the limits that bound hostile input (each limit hit is reported as a defect)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
