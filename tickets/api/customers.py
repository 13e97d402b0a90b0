"""Customers and organizations in the API (staff only): shapes here, rules in the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from panel1.accounts.models import User
from panel1.api.idempotency import idempotent
from panel1.api.permissions import IsHelpdeskStaff
from tickets.customer_selectors import (
    customer_get,
    customer_list,
    customer_profile_of,
    organization_get,
    organization_list,
)
from tickets.models import Organization
from tickets.services.customers import (
    customer_create,
    customer_update,
    organization_create,
    organization_delete,
    organization_update,
)

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


class OrganizationSerializer(serializers.ModelSerializer):
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=50
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    # Accepted, not answered: API.md fixes the answer's fields (id, name, domains, notes).
    shares_tickets = serializers.BooleanField(
        required=False,
        write_only=True,
        help_text=_("Members see (and may act on) each other's tickets in the portal and the API."),
    )

    class Meta:
        model = Organization
        fields = ["id", "name", "domains", "notes", "shares_tickets"]
        read_only_fields = ["id"]
        extra_kwargs = {"name": {"max_length": 200, "validators": []}}


class CustomerSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    ticket_count = serializers.IntegerField(read_only=True)

    def to_representation(self, user: User) -> dict:
        profile = customer_profile_of(user)
        return {
            "id": str(user.pk),
            "email": user.email,
            "name": user.name,
            "organization": str(profile.organization_id)
            if profile and profile.organization_id
            else None,
            "language": user.language,
            "timezone": user.timezone,
            "notes": profile.notes if profile else "",
            "tags": list(profile.tags) if profile else [],
            "ticket_count": getattr(user, "ticket_count", None) or 0,
        }


class SearchParams(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)


@extend_schema_view(
    list=extend_schema(
        summary="List customers (staff)",
        parameters=[OpenApiParameter("search", str, description="Name or email contains")],
        responses={200: CustomerSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a customer (staff)", responses={200: CustomerSerializer, **ERRORS}
    ),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerSerializer
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        params = SearchParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return customer_list(search=params.validated_data.get("search", ""))

    def get_object(self):
        return customer_get(self.kwargs["pk"])

    @extend_schema(
        summary="Create a customer (staff); joins the organization of its email domain",
        request=CustomerSerializer,
        responses={201: CustomerSerializer, **ERRORS},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = CustomerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = customer_create(actor=request.user, **data.validated_data)
        return Response(
            CustomerSerializer(customer_get(str(user.pk))).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change a customer (staff)",
        request=CustomerSerializer,
        responses={200: CustomerSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        customer = self.get_object()
        data = CustomerSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer_update(actor=request.user, customer=customer, **data.validated_data)
        return Response(CustomerSerializer(customer_get(str(customer.pk))).data)


@extend_schema_view(
    list=extend_schema(
        summary="List organizations (staff)",
        parameters=[OpenApiParameter("search", str, description="Name or domain contains")],
        responses={200: OrganizationSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an organization (staff)", responses={200: OrganizationSerializer, **ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete an organization (staff); members stay, without it",
        responses={204: None, **ERRORS},
    ),
)
class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganizationSerializer
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        params = SearchParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return organization_list(search=params.validated_data.get("search", ""))

    def get_object(self):
        return organization_get(self.kwargs["pk"])

    @extend_schema(
        summary="Create an organization (staff)",
        request=OrganizationSerializer,
        responses={201: OrganizationSerializer, **ERRORS},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = OrganizationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = organization_create(actor=request.user, **data.validated_data)
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an organization (staff)",
        request=OrganizationSerializer,
        responses={200: OrganizationSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        organization = self.get_object()
        data = OrganizationSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        organization = organization_update(
            actor=request.user, organization=organization, **data.validated_data
        )
        return Response(OrganizationSerializer(organization).data)

    def perform_destroy(self, instance):
        organization_delete(actor=self.request.user, organization=instance)
