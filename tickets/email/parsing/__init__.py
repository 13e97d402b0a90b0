"""Email parsing: raw RFC 5322 bytes in, a normalized, safe ``ParsedEmail`` out."""

from tickets.email.parsing.mime import (
    DELIVERY_STATUS_FILENAME,
    FORWARDED_FILENAME,
    MAX_ATTACHMENTS,
    EmailParseError,
    ParsedAttachment,
    ParsedEmail,
    content_type_for,
    extract_reply_text,
    extract_reply_token,
    extract_ticket_number_candidates,
    html_to_text,
    parse_message,
    sanitize_filename,
    sanitize_html,
)

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
