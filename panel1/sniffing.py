"""Content-type sniffing from the bytes themselves (attachments, logos): one reader for all."""

from __future__ import annotations

import puremagic


def sniff_content_type(content: bytes) -> str:
    """The type the bytes say they are; text when they decode as UTF-8, else octet-stream."""
    if content:
        try:
            return puremagic.from_string(content[:8192], mime=True) or _text_or_binary(content)
        except (puremagic.PureError, ValueError):
            pass
    return _text_or_binary(content)


def _text_or_binary(content: bytes) -> str:
    try:
        content[:8192].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if b"\x00" not in content[:8192] else "application/octet-stream"
