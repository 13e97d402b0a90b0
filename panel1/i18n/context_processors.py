"""Context processor: the languages the language switch offers on this tenant's pages."""

from __future__ import annotations

import functools
import html

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from panel1.i18n.languages import language_choices, offered_languages


def languages(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "is_public", False):
        return {"offered_languages": [], "show_language_switch": False}
    offered = offered_languages(tenant)
    current = translation.get_language()
    return {
        "offered_languages": language_choices(offered),
        "language_options": language_options(tuple(offered), current),
        "show_language_switch": len(offered) > 1,
        "current_language": current,
    }


@functools.lru_cache(maxsize=512)
def language_options(offered: tuple[str, ...], current: str | None) -> SafeString:
    """The switch's `<option>`s, each language named in its own language (the same in every
    interface language, so kept per offered set and current language), as the template's
    loop printed them: every page of a tenant renders the switch."""
    return mark_safe(
        "".join(
            f'<option value="{html.escape(code)}" lang="{html.escape(code)}"'
            f"{' selected' if code == current else ''}>{html.escape(name)}</option>"
            for code, name in language_choices(list(offered))
        )
    )
