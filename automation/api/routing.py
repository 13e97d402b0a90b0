"""`/api/v1/routing/` (staff read; ADMIN and SUPERVISOR write) and
`/api/v1/tickets/{id}/auto-assign/` (staff; `force` for ADMIN and SUPERVISOR)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from automation.routing.selection import STRATEGIES
from automation.routing.services import (
    category_strategies,
    routing_settings_get,
    routing_settings_update,
    ticket_route,
)
from panel1.actors import Actor
from panel1.api.permissions import IsHelpdeskStaff
from panel1.api.schema import ErrorSerializer
from tickets.api.serializers import TicketSerializer
from tickets.selectors import ticket_get_for

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404)}
STRATEGY_CHOICES = [(name, name) for name in STRATEGIES]


class CategoryStrategySerializer(serializers.Serializer):
    category = serializers.UUIDField()
    strategy = serializers.ChoiceField(choices=STRATEGY_CHOICES)


class RoutingSettingsSerializer(serializers.Serializer):
    strategy = serializers.ChoiceField(choices=STRATEGY_CHOICES)
    previous_agent = serializers.BooleanField()
    priority_first = serializers.BooleanField()
    reroute_when_offline = serializers.BooleanField()
    categories = CategoryStrategySerializer(many=True, required=False, max_length=500)

    def to_representation(self, settings):
        return {
            "strategy": settings.strategy,
            "previous_agent": settings.previous_agent,
            "priority_first": settings.priority_first,
            "reroute_when_offline": settings.reroute_when_offline,
            "categories": [
                {"category": str(row["category"]), "strategy": row["strategy"]}
                for row in category_strategies(settings)
            ],
        }


class RoutingSettingsView(APIView):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]

    def _answer(self):
        return Response(RoutingSettingsSerializer(routing_settings_get()).data)

    def _write(self, request, *, partial: bool):
        if not request.user.is_supervisor_or_admin:
            raise PermissionDenied(_("Routing settings are for supervisors and admins."))
        data = RoutingSettingsSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "categories" in values:
            values["categories"] = [dict(row) for row in values["categories"]]
        elif not partial:
            values["categories"] = []
        routing_settings_update(actor=request.user, **values)
        return self._answer()

    @extend_schema(
        summary="The routing settings (staff)",
        responses={200: RoutingSettingsSerializer, **ERRORS},
    )
    def get(self, request):
        return self._answer()

    @extend_schema(
        summary="Replace the routing settings (ADMIN, SUPERVISOR)",
        description="`categories` replaces every category strategy (absent = none).",
        request=RoutingSettingsSerializer,
        responses={200: RoutingSettingsSerializer, **ERRORS},
    )
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(
        summary="Change some routing settings (ADMIN, SUPERVISOR)",
        request=RoutingSettingsSerializer,
        responses={200: RoutingSettingsSerializer, **ERRORS},
    )
    def patch(self, request):
        return self._write(request, partial=True)


class AutoAssignSerializer(serializers.Serializer):
    strategy = serializers.ChoiceField(choices=STRATEGY_CHOICES, required=False)
    force = serializers.BooleanField(required=False, default=False)


class AutoAssignView(APIView):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]

    @extend_schema(
        summary="Route the ticket now (staff; force: ADMIN, SUPERVISOR)",
        description=(
            "An assigned ticket stays as it is unless `force`. The answer is the ticket; "
            "when nobody is eligible the assignee stays null and `routing_reason` says why."
        ),
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH)],
        request=AutoAssignSerializer,
        responses={200: TicketSerializer, **ERRORS},
    )
    def post(self, request, id):
        ticket = ticket_get_for(request.user, id)
        data = AutoAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        force = data.validated_data["force"]
        if force and not request.user.is_supervisor_or_admin:
            raise PermissionDenied(_("Only supervisors and admins may force routing."))
        ticket_route(
            ticket_id=ticket.pk,
            actor=Actor.of(request.user),
            strategy=data.validated_data.get("strategy"),
            force=force,
            record_manual=True,
        )
        fresh = ticket_get_for(request.user, str(ticket.pk))
        answer = TicketSerializer(fresh, context={"request": request}).data
        return Response(answer, status=status.HTTP_200_OK)
