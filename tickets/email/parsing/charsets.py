"""Charsets of text parts and headers: aliases, the supersets mail clients really send, and
decoding that reports what it had to guess."""

from __future__ import annotations

import codecs

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


def lookup_codec(charset: str) -> str | None:
    name = _CHARSET_ALIASES.get(charset.strip().strip("\"'").lower(), charset.strip().strip("\"'"))
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REJECTED_CODECS:
        return None
    return info.name


def decode_text(data: bytes, charset: str | None) -> tuple[str | None, str | None]:
    """Decode a text part: (text, problem); text is None when it must stay an attachment."""
    if charset is None:
        return _decode_undeclared(data)
    codec = lookup_codec(charset)
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
