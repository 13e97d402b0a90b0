from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    """Resolve the tenant from the host; an unknown host answers 404 (never the public site)."""

    @staticmethod
    def hostname_from_request(request):
        # Compare domains case-insensitively: hosts are case-insensitive (RFC 4343).
        return TenantMainMiddleware.hostname_from_request(request).lower()
