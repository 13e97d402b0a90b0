"""Thin views: parse with serializers, act through services, answer with serializers."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.api.idempotency import idempotent
from panel1.api.permissions import IsHelpdeskStaff, IsTenantAdmin
from sla import services
from sla.api import serializers as s
from sla.models import SlaProfile
from sla.selectors import ticket_sla_explanation
from sla.stats import sla_stats
from tickets.api.serializers import DateRangeSerializer
from tickets.models import Category

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


@extend_schema_view(
    list=extend_schema(
        summary="List SLA profiles (admin)",
        responses={200: s.SlaProfileSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an SLA profile (admin)", responses={200: s.SlaProfileSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Create an SLA profile (admin)", responses={201: s.SlaProfileSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change an SLA profile (admin); open tickets' due times are re-derived",
        responses={200: s.SlaProfileSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete an SLA profile that is not the default (admin)",
        responses={204: None, 409: OpenApiTypes.OBJECT, **ERRORS},
    ),
)
class SlaProfileViewSet(viewsets.ModelViewSet):
    serializer_class = s.SlaProfileSerializer
    permission_classes = [IsAuthenticated, IsTenantAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return SlaProfile.objects.prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("id"))
        ).order_by("name")

    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = s.SlaProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.sla_profile_create(actor=request.user, **data.validated_data)
        return Response(self._answer(profile), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        data = s.SlaProfileSerializer(profile, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.sla_profile_update(profile=profile, actor=request.user, **data.validated_data)
        return Response(self._answer(profile))

    def destroy(self, request, *args, **kwargs):
        services.sla_profile_delete(profile=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _answer(self, profile):
        return s.SlaProfileSerializer(self.get_queryset().get(pk=profile.pk)).data


class SlaStatsView(APIView):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]

    @extend_schema(
        summary="SLA statistics over tickets created in a date range (staff)",
        parameters=[DateRangeSerializer],
        responses={200: s.SlaStatsSerializer, **ERRORS},
    )
    def get(self, request):
        params = DateRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(s.SlaStatsSerializer(sla_stats(**params.validated_data)).data)


class TicketSlaExplanationView(APIView):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]

    @extend_schema(
        summary="How a ticket's SLA due times were computed (staff)",
        parameters=[
            OpenApiParameter("ref", str, OpenApiParameter.PATH, description="UUID or number")
        ],
        responses={200: s.SlaExplanationSerializer, **ERRORS},
    )
    def get(self, request, ref):
        data = ticket_sla_explanation(user=request.user, ticket_ref=ref)
        return Response(s.SlaExplanationSerializer(data).data)
