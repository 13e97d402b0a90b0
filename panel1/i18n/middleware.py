"""Activates the request's language and time zone (replaces Django's LocaleMiddleware).

Language, first match wins, always one the tenant offers:
1. the signed-in person's own language (profile);
2. an explicit choice from the language switch (the session, else the language cookie);
3. the browser's Accept-Language, best quality first;
4. the tenant's default language.
Time zone: the person's own, else the tenant's default, else UTC; the API's is always UTC
(its timestamps are "ISO 8601 in UTC with Z", whoever asks: `API_PREFIX`). Answers vary on
Accept-Language and Cookie and say their Content-Language.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from panel1.i18n.languages import (
    accept_language_choice,
    default_language,
    normalize,
    offered_languages,
    person_language,
)

SESSION_KEY = "_language"
API_PREFIX = "/api/"
UTC = ZoneInfo("UTC")


def request_language(request) -> str:
    """The language of this request, by the order in the module's docstring."""
    tenant = getattr(request, "tenant", None)
    offered = offered_languages(tenant)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        own = person_language(user, tenant)
        if own:
            return own
    session = getattr(request, "session", None)
    for choice in (
        session.get(SESSION_KEY) if session is not None else None,
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
    ):
        code = normalize(choice, offered) if isinstance(choice, str) else None
        if code:
            return code
    browser = accept_language_choice(request.META.get("HTTP_ACCEPT_LANGUAGE", ""), offered)
    return browser or default_language(tenant)


def request_zone(request) -> ZoneInfo:
    """The signed-in person's own zone, else the tenant's default, else UTC."""
    user = getattr(request, "user", None)
    names = [getattr(user, "timezone", "") if user is not None else ""]
    names.append(getattr(getattr(request, "tenant", None), "default_timezone", ""))
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        api = request.path_info.startswith(API_PREFIX)
        timezone.activate(UTC if api else request_zone(request))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
