"""/api/v1/tokens/: a person's API tokens (admins see and revoke everyone's)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from panel1.accounts.models import User
from panel1.api import tokens
from panel1.api.models import ApiToken
from panel1.exceptions import DomainError

ERRORS = {401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "read_only",
            "expires_at",
            "last_used_at",
            "created_at",
            "revoked_at",
            "is_active",
        ]

    def get_user(self, token) -> dict:
        return {"id": str(token.user_id), "email": token.user.email}

    def get_is_active(self, token) -> bool:
        from django.utils import timezone

        expired = token.expires_at is not None and token.expires_at <= timezone.now()
        return token.revoked_at is None and not expired


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text=_("Shown once: only its hash is stored."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    read_only = serializers.BooleanField(default=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    user = serializers.UUIDField(required=False, help_text=_("Admins: create for this user."))


@extend_schema_view(
    list=extend_schema(
        summary="List API tokens (your own; admins: everyone's)",
        responses={200: ApiTokenSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an API token", responses={200: ApiTokenSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Create an API token; the answer shows it once",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, 400: OpenApiTypes.OBJECT, **ERRORS},
    ),
    destroy=extend_schema(summary="Revoke an API token", responses={204: None, **ERRORS}),
)
class ApiTokenViewSet(viewsets.ModelViewSet):
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "delete", "head", "options"]

    queryset = ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return tokens.api_token_list_for(self.request.user)

    def create(self, request, *args, **kwargs):
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        if values.pop("user", None) not in (None, request.user.pk):
            user = get_object_or_404(User, pk=data.validated_data["user"])
        try:
            token, key = tokens.api_token_create(actor=request.user, user=user, **values)
        except DomainError as exc:
            if exc.status_code != 400:
                return Response({"detail": "Not found."}, status=exc.status_code)
            raise
        token.token = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        tokens.api_token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
