"""The new part of a reply: quoted history and signatures cut off, by mail-parser-reply
within bounds, then by a fallback of our own."""

from __future__ import annotations

import functools
import re

from mailparser_reply import EmailMessage as _ReplyMessage

from tickets.email.parsing.text import normalize_newlines


def extract_reply_text(text: str) -> str:
    """Return ``text`` without quoted history and signature; ``text`` itself if nothing is left."""
    if not text or not text.strip():
        return text
    reply = _library_reply(text)
    reply = _strip_quoted_fallback(text if reply is None else reply)
    return reply if reply.strip() else text


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
    lines = normalize_newlines(text).split("\n")
    window = _reply_parser_window(lines)
    try:
        message = _ReplyMessage(
            text="\n".join(window),
            languages=list(_REPLY_LANGUAGES),
            keep_hyphen_lists=True,
            **_reply_patterns(),
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


@functools.cache
def _reply_patterns() -> dict[str, re.Pattern]:
    """The library's header, disclaimer and signature patterns for our settings, built once:
    each message object would build and look up the same three (large) patterns again."""
    sample = _ReplyMessage(text="", languages=list(_REPLY_LANGUAGES), keep_hyphen_lists=True)
    return {
        "_header_regex": sample.HEADER_REGEX,
        "_disclaimers_regex": sample.DISCLAIMERS_REGEX,
        "_signature_regex": sample.SIGNATURE_REGEX,
    }


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
    lines = normalize_newlines(text).split("\n")
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
