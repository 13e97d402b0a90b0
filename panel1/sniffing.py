"""Content types from the bytes themselves (puremagic), never only from a name or a header.

Two questions, one module: ``sniff_content_type`` names the type of bytes nobody described
(uploads, logos); ``sniff_declared_mismatch`` checks a type someone declared (a mail part's
Content-Type) and answers only when the bytes confidently say otherwise.
"""

from __future__ import annotations

import functools

import puremagic
import puremagic.main

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
        matches = _identify(head)
        sniffed = matches[0].mime_type if matches else ""
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
    matches = [m for m in _identify(bytes(content[:_MISMATCH_HEAD_BYTES])) if m.mime_type]
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


# puremagic compares the bytes with each of its ~1,440 header signatures in turn (about 1 ms
# of Python per file; every part of every inbound mail is sniffed). `_identify` gives the
# same answer as puremagic.magic_string / from_string from an index of the signatures by
# offset and first byte: a handful of comparisons instead. tests/core/test_sniffing.py
# checks it against puremagic for every signature.
def _signature_index() -> list[tuple[int, dict[int, list[tuple[int, puremagic.PureMagic]]]]]:
    by_offset: dict[int, dict[int, list[tuple[int, puremagic.PureMagic]]]] = {}
    for position, row in enumerate(puremagic.magic_header_array):
        first = row.byte_match[0]
        by_offset.setdefault(row.offset, {}).setdefault(first, []).append((position, row))
    return sorted(by_offset.items())


_INDEXABLE = all(row.offset >= 0 and row.byte_match for row in puremagic.magic_header_array)
_SIGNATURES = _signature_index() if _INDEXABLE else []


def _identify(content: bytes) -> list[puremagic.main.PureMagicWithConfidence]:
    """puremagic's matches for `content`, best first (its order); [] when it knows none."""
    if not content:
        return []
    if not _INDEXABLE:  # a puremagic whose table the index cannot hold: ask it
        try:
            return puremagic.magic_string(content)
        except (puremagic.PureError, ValueError):
            return []
    header = content[: puremagic.main.max_head]
    footer = content[-puremagic.main.max_foot :]
    size = len(header)
    found = []
    for offset, by_first in _SIGNATURES:
        if offset >= size:
            break
        for position, row in by_first.get(header[offset], ()):
            if header[offset : offset + len(row.byte_match)] == row.byte_match:
                found.append((position, row))
    found.sort(key=lambda item: item[0])
    matches = [row for _position, row in found]
    matches += _footer_matches(footer)
    matches += _multi_part_matches(matches, header, footer)
    try:
        return puremagic.main._confidence(matches)
    except puremagic.PureError:
        return []


def _footer_matches(footer: bytes) -> list[puremagic.PureMagic]:
    """puremagic's footer signatures (a few) compared as puremagic does."""
    matches = []
    for row in puremagic.magic_footer_array:
        end = row.offset + len(row.byte_match)
        area = footer[row.offset : end] if end != 0 else footer[row.offset :]
        if area == row.byte_match:
            matches.append(row)
    return matches


def _multi_part_matches(
    matches: list[puremagic.PureMagic], header: bytes, footer: bytes
) -> list[puremagic.PureMagic]:
    """puremagic's second-stage signatures of the rows matched (its own code, unchanged)."""
    new_matches = set()
    for matched in matches:
        for row in puremagic.multi_part_dict.get(matched.byte_match, ()):
            start = row.offset
            end = row.offset + len(row.byte_match)
            if row.offset < 0:
                area = footer[start:end] if end != 0 else footer[start:]
                if area == row.byte_match:
                    new_matches.add(row._replace(byte_match=matched.byte_match + row.byte_match))
            elif end <= len(header) and header[start:end] == row.byte_match:
                new_matches.add(row._replace(byte_match=header[matched.offset : end]))
    return list(new_matches)
