"""Text translated when it is used, not when it is built."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext, trans_real


def lazy_text(build: Callable[[], str]):
    """A string-like value that calls `build()` each time it is turned into text: a mail
    built before `translation.override(recipient's language)` renders in that language."""
    return lazy(build, str)()


class MessageText:
    """`_(message) % values`, translated each time it is turned into text (as `lazy_text`),
    and in a language of its own choosing with `in_language` (without activating it: a
    text rendered for every language a person may have, once per notice, cost a
    `translation.override` per language, and a `lazy()` proxy class per text). The message
    must be a literal marked with `gettext_noop` where it is written (for `makemessages`)."""

    __slots__ = ("message", "values")

    def __init__(self, message: str, values: Mapping[str, Any]) -> None:
        self.message, self.values = message, values

    def __str__(self) -> str:
        return gettext(self.message) % self.values

    def in_language(self, language: str) -> str:
        """The text in `language` (a code of `LANGUAGES`), as `str()` gives it under
        `translation.override(language)`."""
        return trans_real.translation(language).gettext(self.message) % self.values
