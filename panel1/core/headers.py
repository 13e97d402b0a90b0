"""Security headers on every answer: a Content Security Policy without inline scripts, a
Permissions-Policy, and (Django's SecurityMiddleware) nosniff and the Referrer-Policy.

Every script is a file under static/ (or a package's static files), so `script-src 'self'`
holds everywhere; JSON for scripts travels in `<script type="application/json">` blocks, which
browsers never execute. Styles may be inline (the tenant's brand colour, htmx's indicator
style). A view that sets its own policy (file downloads: `sandbox`) keeps it.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DEFAULT_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), browsing-topics=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", "") or DEFAULT_CSP
        self.permissions = getattr(settings, "PERMISSIONS_POLICY", "") or DEFAULT_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        response.setdefault("Permissions-Policy", self.permissions)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        return response
