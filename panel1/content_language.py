"""Languages of tenant content: KB articles and the texts a tenant edits per language.

The interface language (catalogs, per-request and per-user resolution, mail rendered in the
recipient's language) is decided elsewhere; content code only asks `current_language()`,
which reads `django.utils.translation.get_language()`, so whatever language the request or
the mail was activated in is the one content is looked up in. Every app may import this
module (it sits in `panel1`, below them all).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

# PostgreSQL text-search configurations per language code; a language without one (or whose
# configuration the server lacks, see knowledgebase.search) is indexed with `simple`.
SEARCH_CONFIGS = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt-br": "portuguese",
    "pt": "portuguese",
    "ar": "arabic",
    "it": "italian",
    "nl": "dutch",
}
MAX_CODE_LENGTH = 10


def shipped_languages() -> list[tuple[str, str]]:
    """(code, name) of every language the installation ships (settings.LANGUAGES)."""
    return [(code.lower(), str(name)) for code, name in settings.LANGUAGES]


def offered_languages() -> list[str]:
    """The codes the active tenant offers, its default first."""
    from panel1.i18n import languages

    tenant = _tenant()
    default = languages.default_language(tenant)
    return [default, *[c for c in languages.offered_languages(tenant) if c != default]]


def default_language() -> str:
    """The active tenant's default language: where every text falls back to."""
    from panel1.i18n import languages

    return languages.default_language(_tenant())


def _tenant():
    """The active schema's Tenant row; None where there is none (the template schema while it
    is migrated: its texts fall back to the site's LANGUAGE_CODE)."""
    from django.db import connection

    from panel1.tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def _base_match(code: str | None) -> str | None:
    codes = {c for c, _name in shipped_languages()}
    code = (code or "").strip().lower().replace("_", "-")
    if code in codes:
        return code
    base = code.split("-")[0]
    if base in codes:
        return base
    return next((c for c in sorted(codes) if c.split("-")[0] == base and base), None)


def normalize_language(code: str | None) -> str | None:
    """`code` as one of the shipped language codes (`de-AT` -> `de`, `pt_BR` -> `pt-br`), or
    None when it names none of them."""
    if not isinstance(code, str) or not code or len(code) > MAX_CODE_LENGTH:
        return None
    return _base_match(code)


def current_language() -> str:
    """The language content is shown in now: the active one, else the tenant default."""
    return normalize_language(translation.get_language()) or default_language()


def language_name(code: str) -> str:
    names = dict(shipped_languages())
    return names.get(code, code)


def language_error(code) -> str:
    """The field error for a code that is no shipped language (without echoing odd input)."""
    shown = code if isinstance(code, str) and code.isascii() and code.isprintable() else "?"
    return _("%(code)r is not one of the languages: %(codes)s.") % {
        "code": shown[:MAX_CODE_LENGTH],
        "codes": ", ".join(code for code, _name in shipped_languages()),
    }


_TAG_RE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")


def fallback_chain(language: str | None = None) -> list[str]:
    """Where a per-language text is looked for: the language asked (default: the current
    one), then the tenant default. A lookup is lenient: a well-formed code that is not (or
    no longer) in LANGUAGES still finds the texts stored under it."""
    if language:
        cleaned = str(language).strip().lower().replace("_", "-")
        first = normalize_language(cleaned) or (cleaned if _TAG_RE.match(cleaned) else None)
    else:
        first = current_language()
    default = default_language()
    return [first, default] if first and first != default else [default]
