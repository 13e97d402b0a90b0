from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    """Resolve the tenant from the host; an unknown host answers 404 (never the public site),
    a suspended tenant 503."""

    @staticmethod
    def hostname_from_request(request):
        # Compare domains case-insensitively: hosts are case-insensitive (RFC 4343).
        return TenantMainMiddleware.hostname_from_request(request).lower()

    def process_request(self, request):
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if response is None and getattr(tenant, "suspended_at", None):
            return HttpResponse(
                _("This helpdesk is suspended. Please contact its operator."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        return response
