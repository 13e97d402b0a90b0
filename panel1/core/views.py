import re

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import escape
from django.views.decorators.cache import cache_control


def landing(request):
    return render(request, "public/landing.html")


# --- favicon and error pages ----------------------------------------------------------------

FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="7" fill="{color}"/>'
    '<text x="16" y="22" font-family="system-ui,sans-serif" font-size="18" font-weight="700" '
    'text-anchor="middle" fill="#fff">{letter}</text></svg>'
)


def _brand_bits(request) -> tuple[str, str, bool]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "is_public", True) or not hasattr(tenant, "brand_name"):
        return "#2563eb", "P", False
    color = (
        tenant.primary_color
        if re.fullmatch(r"#[0-9a-fA-F]{6}", tenant.primary_color or "")
        else "#2563eb"
    )
    letter = (tenant.brand_name or "?").strip()[:1].upper() or "?"
    return color, letter, bool(tenant.logo)


@cache_control(max_age=3600)
def favicon(request):
    """/favicon.ico: the tenant's logo if it has one, else its initial on its brand colour."""
    color, letter, has_logo = _brand_bits(request)
    if has_logo:
        return HttpResponseRedirect("/branding/logo")
    svg = FAVICON_SVG.format(color=color, letter=escape(letter))
    return HttpResponse(svg, content_type="image/svg+xml")


def _area(request) -> str:
    path = request.path
    if path.startswith("/desk/"):
        return "desk"
    if path.startswith("/admin/"):
        return "admin"
    return "portal"


def _error(request, status: int, title: str, text: str, exception=None) -> HttpResponse:
    who = ""
    if status == 403 and exception is not None and str(exception):
        who = str(exception)
    context = {"status": status, "title": title, "text": text, "who": who, "area": _area(request)}
    try:
        return render(request, "errors/error.html", context, status=status)
    except Exception:  # the error page itself must never fail (a broken DB, a bad template)
        body = (
            f"<!doctype html><title>{status}</title><h1>{escape(title)}</h1><p>{escape(text)}</p>"
        )
        return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The request could not be understood.", exception)


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        "You cannot open this page",
        "Your account does not have access to it. Ask an admin of this helpdesk if you need it.",
        exception,
    )


def page_not_found(request, exception=None):
    return _error(
        request, 404, "Page not found", "There is nothing at this address. It may have moved."
    )


def server_error(request):
    return _error(
        request,
        500,
        "Something went wrong",
        "The error was logged. Please try again in a moment.",
    )
