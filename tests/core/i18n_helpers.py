"""A tiny German catalog written at test time, so mail and pages can be checked for German
before the real catalogs exist (they are added by translators; docs/translations.md)."""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path

from django.test import override_settings

from panel1.i18n import views as i18n_views
from tickets.email import rendering

GERMAN = {
    "Received: %(ticket_subject)s": "Eingegangen: %(ticket_subject)s",
    "Hello %(recipient_name)s,": "Hallo %(recipient_name)s,",
    "Assigned to you: %(ticket_subject)s": "Ihnen zugewiesen: %(ticket_subject)s",
    "Open it in the desk": "Im Desk öffnen",
    "Log in": "Anmelden",
}


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo file (the format msgfmt writes) holding `messages`."""
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    items = sorted({"": header, **messages}.items())
    ids = [key.encode() for key, _value in items]
    strs = [value.encode() for _key, value in items]
    count = len(items)
    start = 7 * 4 + 16 * count
    offsets, data = [], b""
    for text in ids + strs:
        offsets.append((len(text), start + len(data)))
        data += text + b"\0"
    output = struct.pack("Iiiiiii", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, 0)
    for length, offset in offsets:
        output += struct.pack("ii", length, offset)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(output + data)


def _forget_rendered_texts() -> None:
    rendering._default_source.cache_clear()
    i18n_views._catalogs.clear()


@contextlib.contextmanager
def german_catalog(tmp_path: Path, messages: dict[str, str] | None = None):
    """LOCALE_PATHS pointing at a German catalog of `messages` (default GERMAN)."""
    write_mo(tmp_path / "de" / "LC_MESSAGES" / "django.mo", messages or GERMAN)
    _forget_rendered_texts()
    try:
        with override_settings(LOCALE_PATHS=[tmp_path]):
            yield
    finally:
        _forget_rendered_texts()
