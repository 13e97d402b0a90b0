"""Who may use which portal page, and the context every portal page gets."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse_lazy

from portal.kb import kb_search_url

LOGIN_URL = reverse_lazy("portal:login")


def portal_login_required(view):
    return login_required(_branded_not_found(view), login_url=LOGIN_URL)


def _branded_not_found(view):
    """Answer 404 with the portal's own page: the same page whether the ticket or file does
    not exist or belongs to someone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return render_portal(request, "portal/not_found.html", status=404)

    return wrapper


def verified_required(view):
    """Logged in, and (for customers) a verified address: writing to tickets sends mail to
    that address, so it must be the customer's own."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_customer and not user.email_verified:
            return render_portal(request, "portal/accounts/verify_needed.html", status=403)
        return view(request, *args, **kwargs)

    return portal_login_required(wrapper)


def mail_folder() -> str:
    """Where mail goes when it is written to files (the demo), else "": the portal says so
    wherever it asks people to check their mail."""
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return str(getattr(settings, "EMAIL_FILE_PATH", ""))
    return ""


def portal_context(request) -> dict:
    tenant = request.tenant
    return {
        "portal": {
            "mail_folder": mail_folder(),
            "allow_signup": tenant.allow_signup,
            "customers_can_cc": tenant.customers_can_cc,
            "kb_search_url": kb_search_url(),
        }
    }


def portal_globals(request) -> dict:
    """Context processor: the portal header and footer look the same on the portal's own pages
    and on the knowledge base's (/kb/...), which another app renders."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {}
    return portal_context(request)


def render_portal(request, template: str, context: dict | None = None, *, status: int = 200):
    return render(request, template, {**portal_context(request), **(context or {})}, status=status)


class PortalContextMixin:
    """For class-based views (Django's auth views) rendered inside the portal."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **portal_context(self.request)}
