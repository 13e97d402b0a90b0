"""Text translated when it is used, not when it is built."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.functional import lazy


def lazy_text(build: Callable[[], str]):
    """A string-like value that calls `build()` each time it is turned into text: a mail
    built before `translation.override(recipient's language)` renders in that language."""
    return lazy(build, str)()
