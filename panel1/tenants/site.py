"""The address a tenant's site is served on, for absolute links that leave the request (mail).

`scheme://primary-domain[:port]`: the scheme is EMAIL_LINK_SCHEME, else https unless HTTPS is
off; the port is SITE_PORT (empty in production behind 80/443). `scripts/serve` sets SITE_PORT
to the port it serves on, so the demo's mails link to http://demo.localhost:8000/... and the
worker, which has no request, builds the same links as the web process.
"""

from __future__ import annotations

from django.conf import settings

from panel1.tenants.models import Tenant

DEFAULT_PORTS = {"http": "80", "https": "443"}


def link_scheme() -> str:
    return getattr(settings, "EMAIL_LINK_SCHEME", "") or (
        "https" if settings.SESSION_COOKIE_SECURE else "http"
    )


def tenant_site_url(tenant: Tenant) -> str:
    """`scheme://host[:port]` of `tenant`'s primary domain ("" when it has none)."""
    domain = tenant.get_primary_domain()
    if domain is None:
        return ""
    scheme = link_scheme()
    port = str(getattr(settings, "SITE_PORT", "") or "").strip()
    host = domain.domain
    if port and port != DEFAULT_PORTS.get(scheme) and ":" not in host:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def absolute_url(tenant: Tenant, path: str) -> str:
    """`path` (starting with /) on `tenant`'s site."""
    return tenant_site_url(tenant) + path
