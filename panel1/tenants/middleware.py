from django.db import connection
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from panel1.db_reads import CompiledRead
from panel1.tenants.models import Domain

# The request host's domain row with its tenant, compiled once (the same read as
# django-tenants' `select_related("tenant").get(domain=...)`, without its compilation).
_DOMAIN_WITH_TENANT = CompiledRead(
    lambda domain: Domain.objects.select_related("tenant").filter(domain=domain).order_by(),
    "domain",
)


class TenantMiddleware(TenantMainMiddleware):
    """Resolve the tenant from the host; an unknown host answers 404 (never the public site),
    a suspended tenant 503.

    `SET search_path` at most once per request, and not at all when the connection's session
    already has the tenant's path (a persistent connection serving the same tenant again):
    django-tenants would set `public` for the domain lookup and then the tenant's path. The
    lookup needs no `SET`: the tenants tables exist only in `public`, which every search path
    (a tenant's, or a new session's default) ends with. The path django-tenants remembers is
    trusted only because it is forgotten on rollback, savepoint rollback and close
    (TENANT_LIMIT_SET_CALLS; see tests/core/test_search_path.py).
    """

    @staticmethod
    def hostname_from_request(request):
        # Compare domains case-insensitively: hosts are case-insensitive (RFC 4343).
        return TenantMainMiddleware.hostname_from_request(request).lower()

    def process_request(self, request):
        # Kept on the connection (one per thread), never on this middleware instance, which the
        # threads of a threaded server share.
        connection.panel1_session_path = getattr(connection, "search_path_set_schemas", None)
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if (
            response is None
            and tenant is not None
            and connection.panel1_session_path
            and connection.schema_name == tenant.schema_name
            and list(connection.panel1_session_path) == list(connection._get_cursor_search_paths())
        ):
            connection.search_path_set_schemas = connection.panel1_session_path
        if response is None and getattr(tenant, "suspended_at", None):
            return HttpResponse(
                _("This helpdesk is suspended. Please contact its operator."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        return response

    def get_tenant(self, domain_model, hostname):
        # Read the domain with the session's path as it is (see the class docstring), then
        # forget it again unless it stays valid: set_tenant() decides the next SET.
        connection.search_path_set_schemas = connection.panel1_session_path or ["public"]
        try:
            domain = _DOMAIN_WITH_TENANT.first(domain=hostname)
            if domain is None:
                raise Domain.DoesNotExist
            return domain.tenant
        finally:
            connection.search_path_set_schemas = None
