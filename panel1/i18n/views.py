"""The language switch and the JavaScript catalog.

Scripts under static/js translate with the `djangojs` domain: every page loads
`/i18n/js/<language>/` (Django's JavaScriptCatalog: `gettext`, `ngettext`, `interpolate`,
`pgettext` and the locale's formats as globals) before its own scripts. The catalog only
depends on the compiled files, so each process builds it once per language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog

from panel1.i18n.languages import normalize, offered_languages, shipped_languages
from panel1.i18n.middleware import SESSION_KEY

CATALOG_MAX_AGE = 3600
_catalogs: dict[str, tuple[bytes, str]] = {}


def javascript_catalog(request, language: str):
    code = language.lower()
    if code not in shipped_languages():
        raise Http404("No such language")
    if code not in _catalogs:
        with translation.override(code):
            answer = JavaScriptCatalog.as_view()(request)
        _catalogs[code] = (answer.content, answer["Content-Type"])
    content, content_type = _catalogs[code]
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={CATALOG_MAX_AGE}"
    return response


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if url_has_allowed_host_and_scheme(
        url=target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def set_language(request):
    """The language switch: remember the choice (session and cookie); a signed-in person's
    profile language changes too, since their own language comes first."""
    code = normalize(request.POST.get("language"), offered_languages(request.tenant))
    response = HttpResponseRedirect(_safe_next(request))
    if code is None:
        return response
    if request.user.is_authenticated:
        from panel1.accounts.services import user_language_set

        user_language_set(user=request.user, language=code)
    request.session[SESSION_KEY] = code
    return language_cookie_set(response, code)


def language_cookie_set(response: HttpResponse, code: str) -> HttpResponse:
    """Remember `code` in the language cookie (Django's LANGUAGE_COOKIE_* settings), for the
    visitor's next requests; answers `response`."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
