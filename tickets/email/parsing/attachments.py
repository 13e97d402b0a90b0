"""Attachment names and types: safe base names, and types sniffed from the bytes where the
sniffer is sure (``panel1.sniffing``)."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from panel1.sniffing import sniff_declared_mismatch
from tickets.email.parsing.text import WS_RE

# Only the built-in table: the machine's /etc/mime.types must not change attachment names.
_MIME_TABLE = mimetypes.MimeTypes(filenames=())
_EXTENSION_OVERRIDES = {"message/rfc822": ".eml", "text/calendar": ".ics", "image/jpeg": ".jpg"}
_FILENAME_FORBIDDEN_RE = re.compile(r'[<>:"|?*]')
_MAX_FILENAME_BYTES = 200


def sanitize_filename(name: str | None, *, index: int, content_type: str) -> str:
    """Return a safe base name: no path, no control/bidi characters; else attachment-N.ext."""
    cleaned = ""
    if name:
        base = re.split(r"[\\/]", name)[-1]
        base = "".join(
            ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
        )
        cleaned = WS_RE.sub(" ", _FILENAME_FORBIDDEN_RE.sub("_", base)).strip(" .")
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
        sniffed = sniff_declared_mismatch(content, declared, filename)
        if sniffed:
            return sniffed
    return declared if declared not in ("", "binary/octet-stream") else "application/octet-stream"
