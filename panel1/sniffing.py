"""Content types from the bytes themselves (puremagic), never only from a name or a header.

Two questions, one module: ``sniff_content_type`` names the type of bytes nobody described
(uploads, logos); ``sniff_declared_mismatch`` checks a type someone declared (a mail part's
Content-Type) and answers only when the bytes confidently say otherwise.
"""

from __future__ import annotations

import functools

import puremagic

__all__ = ["GENERIC_TYPES", "sniff_content_type", "sniff_declared_mismatch"]

_HEAD_BYTES = 8192
_MISMATCH_HEAD_BYTES = 65536
# Declared types that say nothing about the content.
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)
# puremagic's two-byte signatures (BM, MZ ...) match ordinary text too often.
_MIN_CONFIDENCE = 0.3


def sniff_content_type(content: bytes) -> str:
    """The type the bytes say they are; text when they decode as UTF-8, else octet-stream."""
    return _sniff_head(bytes(content[:_HEAD_BYTES]))


# The same file is asked twice (the file-type policy checks every file of a message, then
# storing sniffs each): puremagic costs milliseconds, hashing the 8 KiB head microseconds.
# Room for the files of a large message (256 heads: at most 2 MiB).
@functools.lru_cache(maxsize=256)
def _sniff_head(head: bytes) -> str:
    sniffed = ""
    if head:
        try:
            sniffed = puremagic.from_string(head, mime=True)
        except (puremagic.PureError, ValueError):
            sniffed = ""
    return sniffed or _text_or_binary(head)


def _text_or_binary(head: bytes) -> str:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if b"\x00" not in head else "application/octet-stream"


def sniff_declared_mismatch(content: bytes, declared: str, filename: str | None) -> str | None:
    """The type the bytes say they are when it differs from ``declared``; None when unsure.

    A match on the file name's extension wins; a weak or tied match keeps a specific
    declared type, and is settled only when the declared type is generic.
    """
    try:
        matches = [m for m in puremagic.magic_string(content[:_MISMATCH_HEAD_BYTES]) if m.mime_type]
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
    if best < _MIN_CONFIDENCE and declared not in GENERIC_TYPES:
        return None
    if len(top) > 1:
        # Ties are common (every zip-based format shares PK\x03\x04, PDF and FDF share %PDF):
        # only settle them when the sender declared nothing useful.
        if declared not in GENERIC_TYPES:
            return None
        if "application/zip" in top:
            return "application/zip"
        return next(m.mime_type for m in matches if m.confidence == best)
    return top.pop()
