"""Report API: thin views over reports.params, reports.selectors and reports.exports."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.api.permissions import IsHelpdeskStaff
from reports import exports
from reports.api.serializers import (
    DigestSubscriptionSerializer,
    ReportQuerySerializer,
    ReportSerializer,
    SupportStatsSerializer,
)
from reports.digest import digest_eligible, digest_next_send, digest_subscribe, digest_subscribed
from reports.figures import REPORTS
from reports.params import report_params_build
from reports.selectors import report_get, report_run
from reports.services import tenant_zone
from reports.stats import business_time_stats
from tickets.api.filters import TicketFilter
from tickets.api.serializers import DateRangeSerializer
from tickets.selectors import ticket_queryset_for
from tickets.stats import support_stats

EXPORT_PARAMETERS = [
    OpenApiParameter(name, str, many=name in ("status", "priority", "category", "tag"))
    for name in (
        "status", "priority", "category", "assignee", "requester", "tag", "search",
        "created_after", "created_before", "ordering",
    )
]  # fmt: skip
ERRORS = {code: OpenApiTypes.OBJECT for code in (400, 401, 403, 404)}


class FirstRendererNegotiation(DefaultContentNegotiation):
    """`?format=` names an export here (csv, xlsx), not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReportView(APIView):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        summary="One report for a period, with the previous period's totals",
        parameters=[
            OpenApiParameter(
                "name", str, OpenApiParameter.PATH, enum=sorted(REPORTS), description="Report"
            ),
            ReportQuerySerializer,
        ],
        responses={
            200: ReportSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, exports.XLSX_TYPE): OpenApiTypes.BINARY,
            **ERRORS,
        },
    )
    def get(self, request, name):
        report = report_get(name)
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        params = report_params_build(
            viewer=request.user,
            zone=tenant_zone(),
            start=v.get("start"),
            end=v.get("end"),
            categories=v.get("category", []),
            agents=v.get("agent", []),
            priorities=v.get("priority", []),
            channels=v.get("channel", []),
            tags=v.get("tag", []),
            interval=v["interval"],
        )
        data = report_run(name=report.name, params=params)
        if v["format"] == "csv":
            return exports.report_csv(data, report.columns)
        if v["format"] == "xlsx":
            return exports.report_xlsx(data, report.columns)
        return Response(ReportSerializer(data).data)


class TicketExportView(APIView):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        summary="The ticket list as CSV, streamed (every filter of GET /tickets/)",
        parameters=EXPORT_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row a ticket"),
            **ERRORS,
        },
    )
    def get(self, request):
        tickets = ticket_queryset_for(request.user)
        if "ordering" not in request.query_params:
            tickets = tickets.order_by("-created_at", "-pk")
        filtered = TicketFilter(request.query_params, queryset=tickets, request=request)
        if not filtered.is_valid():
            return Response(filtered.errors, status=400)
        return exports.tickets_csv_stream(filtered.qs)


class SupportStatsView(APIView):
    """Support statistics: tickets' wall-clock figures and the reports' business minutes."""

    permission_classes = [IsAuthenticated, IsHelpdeskStaff]

    @extend_schema(
        summary="Support statistics",
        parameters=[DateRangeSerializer],
        responses={200: SupportStatsSerializer, **ERRORS},
    )
    def get(self, request):
        params = DateRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = {
            **support_stats(**params.validated_data),
            **business_time_stats(**params.validated_data),
        }
        return Response(SupportStatsSerializer(data).data)


def _digest_answer(user) -> dict:
    zone = tenant_zone()
    return {
        "subscribed": digest_subscribed(user),
        "eligible": digest_eligible(user),
        "timezone": zone.key,
        "next_digest_at": digest_next_send(timezone.now(), zone),
    }


class DigestSubscriptionView(APIView):
    """Your own weekly digest subscription (opt-in; supervisors and admins)."""

    permission_classes = [IsAuthenticated, IsHelpdeskStaff]

    @extend_schema(
        summary="Your weekly digest subscription",
        responses={200: DigestSubscriptionSerializer, **ERRORS},
    )
    def get(self, request):
        return Response(DigestSubscriptionSerializer(_digest_answer(request.user)).data)

    @extend_schema(
        summary="Turn your weekly digest mail on or off",
        request=DigestSubscriptionSerializer,
        responses={200: DigestSubscriptionSerializer, **ERRORS},
    )
    def put(self, request):
        body = DigestSubscriptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        digest_subscribe(user=request.user, enabled=body.validated_data["subscribed"])
        return Response(DigestSubscriptionSerializer(_digest_answer(request.user)).data)
