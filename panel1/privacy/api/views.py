"""/api/v1/privacy/: exports and erasures of a person's data (admins)."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.api.permissions import IsTenantAdmin
from panel1.exceptions import DomainError
from panel1.privacy import services
from panel1.privacy.api import serializers as s
from panel1.privacy.models import DataExport, Erasure, Source

ERRORS = {401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}


def error_response(exc: DomainError) -> Response:
    """400 keeps DRF's field shape; every other status answers `{"detail": "message"}`."""
    if exc.status_code == 400:
        return Response(exc.errors, status=400)
    message = " ".join(m for messages in exc.errors.values() for m in messages)
    return Response({"detail": message}, status=exc.status_code)


@extend_schema_view(
    list=extend_schema(
        summary="List data exports (admin)",
        responses={200: s.DataExportSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a data export; `download_url` is signed and expires after 24 hours",
        responses={200: s.DataExportSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Export everything about one person (admin); built by a job",
        request=s.EmailSerializer,
        responses={202: s.DataExportSerializer, 400: OpenApiTypes.OBJECT, **ERRORS},
    ),
)
class DataExportViewSet(viewsets.ModelViewSet):
    serializer_class = s.DataExportSerializer
    permission_classes = [IsAuthenticated, IsTenantAdmin]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return DataExport.objects.order_by("-created_at")

    def create(self, request, *args, **kwargs):
        data = s.EmailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            export = services.privacy_export_request(
                actor=request.user, email=data.validated_data["email"], source=Source.API
            )
        except DomainError as exc:
            return error_response(exc)
        return Response(self.get_serializer(export).data, status=status.HTTP_202_ACCEPTED)


class DataExportDownloadView(APIView):
    """The ZIP, for the signed link's holder who is also signed in (an admin or the person)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Download a ready export (signed link, signed-in caller)",
        parameters=[OpenApiParameter("signature", str, required=True)],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            410: OpenApiTypes.OBJECT,
            **ERRORS,
        },
    )
    def get(self, request, pk):
        export = get_object_or_404(DataExport, pk=pk)
        try:
            services.export_for_download(
                export=export,
                signature=request.query_params.get("signature", ""),
                user=request.user,
            )
        except DomainError as exc:
            return error_response(exc)
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"personal-data-{export.pk}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema_view(
    list=extend_schema(
        summary="List erasures (admin)", responses={200: s.ErasureSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get an erasure", responses={200: s.ErasureSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Erase (pseudonymise) one person, irreversibly (admin); `confirm` must be true",
        request=s.ErasureRequestSerializer,
        responses={
            202: s.ErasureSerializer,
            400: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
            **ERRORS,
        },
    ),
)
class ErasureViewSet(viewsets.ModelViewSet):
    serializer_class = s.ErasureSerializer
    permission_classes = [IsAuthenticated, IsTenantAdmin]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Erasure.objects.order_by("-created_at")

    def create(self, request, *args, **kwargs):
        data = s.ErasureRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            erasure = services.privacy_erasure_request(
                actor=request.user,
                email=data.validated_data["email"],
                confirm=data.validated_data["confirm"],
                source=Source.API,
            )
        except DomainError as exc:
            return error_response(exc)
        return Response(self.get_serializer(erasure).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Approve a person's own erasure request (admin)",
        request=None,
        responses={202: s.ErasureSerializer, 409: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        try:
            erasure = services.privacy_erasure_approve(
                actor=request.user, erasure=self.get_object()
            )
        except DomainError as exc:
            return error_response(exc)
        erasure.refresh_from_db()
        return Response(self.get_serializer(erasure).data, status=status.HTTP_202_ACCEPTED)
