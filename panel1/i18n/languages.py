"""Which interface language a person gets: the shipped languages (`settings.LANGUAGES`), the
ones a tenant offers and its default, and the choice for a request or a mail recipient.

Codes are lowercase BCP 47 as in `settings.LANGUAGES` (``de``, ``pt-br``). A tenant that
never narrowed its languages (``offered_languages`` empty) offers every shipped language,
including ones added to `LANGUAGES` later; a code no longer shipped is ignored.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation.trans_real import parse_accept_lang_header

MAX_ACCEPT_LANGUAGE = 500  # longer headers are cut before parsing (Django caps it too)


def shipped_languages() -> list[str]:
    """The codes of `settings.LANGUAGES`, in their order."""
    return [code.lower() for code, _name in settings.LANGUAGES]


def normalize(code: str | None, among: list[str] | None = None) -> str | None:
    """`code` as one of `among` (default: the shipped languages), or None.

    Case and ``_``/``-`` do not matter; a regional variant maps to its language (``de-AT`` to
    ``de``) and a language to its only offered variant (``pt`` to ``pt-br``)."""
    if not isinstance(code, str) or not code or len(code) > 20:
        return None
    codes = shipped_languages() if among is None else among
    code = code.strip().lower().replace("_", "-")
    if code in codes:
        return code
    primary = code.split("-")[0]
    if primary in codes:
        return primary
    return next((c for c in codes if c.split("-")[0] == primary), None)


def offered_languages(tenant) -> list[str]:
    """The codes `tenant` offers, in the shipped order; all shipped ones unless narrowed."""
    shipped = shipped_languages()
    chosen = set(getattr(tenant, "offered_languages", None) or [])
    offered = [code for code in shipped if code in chosen]
    return offered or shipped


def default_language(tenant) -> str:
    """The tenant's default language: its choice if offered, else the site's, else the first
    offered one."""
    offered = offered_languages(tenant)
    for code in (getattr(tenant, "default_language", ""), settings.LANGUAGE_CODE):
        if code and code.lower() in offered:
            return code.lower()
    return offered[0]


def accept_language_choice(header: str, offered: list[str]) -> str | None:
    """The best of `offered` for an Accept-Language header, by the header's quality order."""
    for code, _quality in parse_accept_lang_header((header or "")[:MAX_ACCEPT_LANGUAGE]):
        if code == "*":
            continue
        choice = normalize(code, offered)
        if choice:
            return choice
    return None


def language_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name in its own language) pairs, as a language menu shows them."""
    return [(code, get_language_info(code)["name_local"]) for code in codes]


def person_language(user, tenant) -> str | None:
    """The person's own language if they chose one and the tenant offers it."""
    return normalize(getattr(user, "language", "") or "", offered_languages(tenant))


def recipient_language(user, *, tenant, ticket=None) -> str:
    """The language of a mail to `user`: their own if offered, else (for a customer) the
    language detected for the ticket, else the tenant's default."""
    own = person_language(user, tenant)
    if own:
        return own
    if ticket is not None and not getattr(user, "is_helpdesk_staff", False):
        detected = normalize(getattr(ticket, "language", None) or "", offered_languages(tenant))
        if detected:
            return detected
    return default_language(tenant)


def mail_language(user, *, ticket=None) -> str:
    """`recipient_language` for the active tenant (mail is sent with its schema active)."""
    from panel1.tenants.services import current_tenant

    return recipient_language(user, tenant=current_tenant(), ticket=ticket)
