"""Automation API (ADMIN/SUPERVISOR): rules, dry runs, the run log, templates, registries."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from automation import services
from automation.api import serializers as s
from automation.models import AutoResponseTemplate, Rule
from panel1.api.idempotency import idempotent
from panel1.api.permissions import IsSupervisorOrAdmin
from panel1.exceptions import DomainError, NotFound
from tickets.selectors import ticket_get_for

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


def _bool_param(request, name: str):
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise DomainError({name: [_("Use true or false.")]})


@extend_schema_view(
    list=extend_schema(
        summary="List automation rules in evaluation order",
        responses={200: s.RuleSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="Get a rule", responses={200: s.RuleSerializer, **ERRORS}),
    destroy=extend_schema(summary="Delete a rule", responses={204: None, **ERRORS}),
)
class RuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.RuleSerializer
    permission_classes = [IsSupervisorOrAdmin]
    queryset = Rule.objects.order_by("position", "created_at", "pk")
    filterset_fields = ["trigger_event", "is_active"]

    @extend_schema(
        summary="Create a rule (400 names the bad part of an invalid definition)",
        request=s.RuleSerializer,
        responses={201: s.RuleSerializer, **ERRORS},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = s.RuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_create(actor=request.user, **data.validated_data)
        return Response(s.RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a rule (the whole resulting rule is validated)",
        request=s.RuleSerializer,
        responses={200: s.RuleSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        rule = self.get_object()
        data = s.RuleSerializer(rule, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rule = services.rule_update(rule=rule, actor=request.user, **data.validated_data)
        return Response(s.RuleSerializer(rule).data)

    def perform_destroy(self, instance):
        services.rule_delete(rule=instance, actor=self.request.user)

    @extend_schema(
        summary="Dry-run the rule against a ticket; changes nothing",
        request=s.RuleTestSerializer,
        responses={200: s.RuleTestResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def test(self, request, pk=None):
        rule = self.get_object()
        data = s.RuleTestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            ticket = ticket_get_for(request.user, data.validated_data["ticket"])
        except NotFound as exc:
            raise DomainError({"ticket": [_("No such ticket.")]}) from exc
        result = services.rule_test(rule=rule, ticket=ticket)
        body = {
            "rule": rule.pk,
            "ticket": {"id": ticket.pk, "number": ticket.number},
            "matched": result.matched,
            "conditions": result.conditions,
            "actions": result.actions,
            "context": result.context,
            "errors": result.errors,
        }
        return Response(s.RuleTestResultSerializer(body).data)

    @extend_schema(
        summary="The rule's executions, newest first",
        parameters=[
            OpenApiParameter("matched", bool, description="Only runs that matched (or not)"),
            OpenApiParameter("dry_run", bool, description="Only dry runs (or only real runs)"),
        ],
        responses={200: s.RuleRunSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def runs(self, request, pk=None):
        rule = self.get_object()
        qs = rule.runs.order_by("-created_at", "-id")
        for name in ("matched", "dry_run"):
            value = _bool_param(request, name)
            if value is not None:
                qs = qs.filter(**{name: value})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.RuleRunSerializer(page, many=True).data)

    @extend_schema(
        summary="Set the evaluation order: the listed rules first, in this order",
        request=s.RuleReorderSerializer,
        responses={200: s.RuleSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def reorder(self, request):
        data = s.RuleReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules = services.rules_reorder(rule_ids=data.validated_data["ids"], actor=request.user)
        return Response(s.RuleSerializer(rules, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List auto-response templates"),
    retrieve=extend_schema(summary="Get an auto-response template"),
    destroy=extend_schema(summary="Delete an auto-response template"),
)
class TemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.AutoResponseTemplateSerializer
    permission_classes = [IsSupervisorOrAdmin]
    queryset = AutoResponseTemplate.objects.order_by("name")
    lookup_field = "name"

    @extend_schema(
        summary="Create an auto-response template",
        responses={201: s.AutoResponseTemplateSerializer, **ERRORS},
    )
    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request):
        data = s.AutoResponseTemplateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_save(actor=request.user, **data.validated_data)
        return Response(
            s.AutoResponseTemplateSerializer(template).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change an auto-response template",
        responses={200: s.AutoResponseTemplateSerializer, **ERRORS},
    )
    def partial_update(self, request, name=None):
        template = self.get_object()
        data = s.AutoResponseTemplateSerializer(template, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        current = s.AutoResponseTemplateSerializer(template).data
        values = {key: current[key] for key in ("name", "description", "subject", "body")}
        values["is_active"] = template.is_active
        values.update(data.validated_data)
        template = services.template_save(template=template, actor=request.user, **values)
        return Response(s.AutoResponseTemplateSerializer(template).data)

    def perform_destroy(self, instance):
        services.template_delete(template=instance, actor=self.request.user)


class RegistryView(APIView):
    permission_classes = [IsSupervisorOrAdmin]

    @extend_schema(
        summary="What a rule can use: triggers, condition fields, operators, actions, templates",
        responses={200: s.RegistrySerializer, **ERRORS},
    )
    def get(self, request):
        return Response(services.rule_catalog())
