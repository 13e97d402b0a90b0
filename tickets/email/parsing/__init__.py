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

Modules: ``message`` (parse_message: the whole message), ``headers`` (header values,
addresses, ids), ``charsets`` (decoding), ``mime`` (the MIME walk), ``attachments``
(names and types), ``html`` (sanitizing, HTML to text), ``replies`` (quoted history and
signatures), ``automated`` (auto-replies and bounces), ``ticket_refs`` (ticket numbers and
reply tokens), ``result`` (ParsedEmail and the limits), ``text`` (shared helpers).
"""

from tickets.email.parsing.attachments import content_type_for, sanitize_filename
from tickets.email.parsing.html import html_to_text, sanitize_html
from tickets.email.parsing.message import parse_message
from tickets.email.parsing.replies import extract_reply_text
from tickets.email.parsing.result import (
    DELIVERY_STATUS_FILENAME,
    FORWARDED_FILENAME,
    MAX_ATTACHMENTS,
    EmailParseError,
    ParsedAttachment,
    ParsedEmail,
)
from tickets.email.parsing.ticket_refs import extract_reply_token, extract_ticket_number_candidates

__all__ = [
    "DELIVERY_STATUS_FILENAME",
    "FORWARDED_FILENAME",
    "MAX_ATTACHMENTS",
    "EmailParseError",
    "ParsedAttachment",
    "ParsedEmail",
    "content_type_for",
    "extract_reply_text",
    "extract_reply_token",
    "extract_ticket_number_candidates",
    "html_to_text",
    "parse_message",
    "sanitize_filename",
    "sanitize_html",
]
