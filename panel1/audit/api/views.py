"""GET /api/v1/audit/: the tenant's audit log, read-only, for admins."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from panel1.api.permissions import IsTenantAdmin
from panel1.audit.api.serializers import AuditEntrySerializer, AuditFilterSerializer
from panel1.audit.selectors import audit_actor_names, audit_entry_list

ERRORS = {400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT}
FILTERS = [
    OpenApiParameter("action", str, description="Exact action, e.g. `login_failed`."),
    OpenApiParameter("actor", str, description="User id, user email, or `system`."),
    OpenApiParameter("created_after", OpenApiTypes.DATETIME),
    OpenApiParameter("created_before", OpenApiTypes.DATETIME),
]


@extend_schema_view(
    list=extend_schema(
        summary="List audit entries (admin, read-only)",
        parameters=FILTERS,
        responses={200: AuditEntrySerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an audit entry (admin)",
        responses={200: AuditEntrySerializer, 404: OpenApiTypes.OBJECT, **ERRORS},
    ),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Append-only: no write methods (PUT, PATCH, DELETE answer 405)."""

    serializer_class = AuditEntrySerializer
    permission_classes = [IsAuthenticated, IsTenantAdmin]

    def get_queryset(self):
        if self.action != "list":
            return audit_entry_list()
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return audit_entry_list(**filters.validated_data)

    def get_serializer(self, *args, **kwargs):
        if args:
            entries = args[0] if isinstance(args[0], list) else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["actor_names"] = audit_actor_names(entries)
        return super().get_serializer(*args, **kwargs)
