"""Context processor: the languages the language switch offers on this tenant's pages."""

from __future__ import annotations

from django.utils import translation

from panel1.i18n.languages import language_choices, offered_languages


def languages(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "is_public", False):
        return {"offered_languages": [], "show_language_switch": False}
    offered = offered_languages(tenant)
    return {
        "offered_languages": language_choices(offered),
        "show_language_switch": len(offered) > 1,
        "current_language": translation.get_language(),
    }
