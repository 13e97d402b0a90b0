"""Offline language detection of ticket text (py3langid: its model ships in the wheel).

Answers a code of `settings.LANGUAGES` or None: a detected language the helpdesk does not
offer is no use for routing. The model (~2 s to load) is loaded once per process, on first use.
"""

from __future__ import annotations

import functools

from django.conf import settings

from tickets.availability import language_codes

MIN_LETTERS = 12  # below this, "ok thanks" style text says nothing reliable
MIN_CONFIDENCE = 0.6
MAX_CHARS = 2_000


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def offered_code(language: str | None) -> str | None:
    """The LANGUAGES code for an ISO 639-1 language (``pt`` -> ``pt-br`` if only that is
    offered), or None."""
    if not language:
        return None
    language = language.lower().replace("_", "-")
    codes = language_codes()
    if language in codes:
        return language
    primary = language.split("-")[0]
    return next((code for code in codes if code.split("-")[0] == primary), None)


def detect_language(text: str) -> str | None:
    """The language of `text` as a LANGUAGES code, or None when unsure or not offered."""
    text = (text or "")[:MAX_CHARS]
    if sum(char.isalpha() for char in text) < MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return None
    return offered_code(language)


def preferred_language(user) -> str | None:
    """The requester's own choice, if they made one: every account starts with the site's
    default language, so only a different offered language counts as a preference."""
    code = offered_code(getattr(user, "language", "") or "")
    if code is None or code == settings.LANGUAGE_CODE.lower():
        return None
    return code


def ticket_language(*, requester, text: str) -> str | None:
    """The preferred language of the requester wins; else the detected one."""
    return preferred_language(requester) or detect_language(text)
