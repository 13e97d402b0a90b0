"""`/api/v1/agents/`: staff with their availability and routing data (staff read; ADMIN and
SUPERVISOR write, an agent sets their own status)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from panel1.accounts.models import User
from panel1.api.permissions import IsHelpdeskStaff
from panel1.api.schema import ErrorSerializer
from tickets.agents import agent_get, agent_list, profile_of
from tickets.models import AgentStatus, Category
from tickets.services.agents import agent_update

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404)}


class AbsenceSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AgentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    status = serializers.ChoiceField(choices=AgentStatus.choices)
    capacity = serializers.IntegerField(help_text=gettext_lazy("0 = no limit"))
    open_tickets = serializers.IntegerField()
    skills = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    categories = serializers.ListField(
        child=serializers.UUIDField(), help_text=gettext_lazy("empty = all")
    )
    working_hours = serializers.JSONField(allow_null=True)
    out_of_office = AbsenceSerializer(many=True)

    def to_representation(self, user: User):
        profile = profile_of(user)
        return {
            "id": str(user.pk),
            "email": user.email,
            "name": user.get_full_name(),
            "role": user.role,
            "status": profile.status if profile else AgentStatus.OFFLINE,
            "capacity": profile.capacity if profile else 0,
            "open_tickets": user.open_tickets,
            "skills": list(profile.skills) if profile else [],
            "languages": list(profile.languages) if profile else [],
            "categories": sorted(str(pk) for pk in user.category_ids),
            "working_hours": profile.working_hours if profile else None,
            "out_of_office": list(profile.out_of_office) if profile else [],
        }


class AgentUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AgentStatus.choices, required=False)
    capacity = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=30, required=False
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=10), max_length=50, required=False
    )
    categories = serializers.ListField(
        child=serializers.UUIDField(), max_length=200, required=False
    )
    working_hours = serializers.JSONField(required=False, allow_null=True)
    out_of_office = serializers.ListField(
        child=serializers.JSONField(), max_length=50, required=False
    )

    def validate_categories(self, value):
        found = {str(c.pk): c for c in Category.objects.filter(pk__in=value)}
        missing = [str(pk) for pk in value if str(pk) not in found]
        if missing:
            raise serializers.ValidationError(
                _("No such category: %(missing)s.") % {"missing": ", ".join(missing)}
            )
        return [found[str(pk)] for pk in value]


@extend_schema_view(
    list=extend_schema(
        summary="List agents with status, capacity, load, skills and languages (staff)",
        responses={200: AgentSerializer(many=True), **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an agent's availability and routing data",
        description="ADMIN and SUPERVISOR change anything; an agent may set their own status.",
        request=AgentUpdateSerializer,
        responses={200: AgentSerializer, **ERRORS},
    ),
)
class AgentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsHelpdeskStaff]
    serializer_class = AgentSerializer
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return agent_list()

    def partial_update(self, request, pk=None):
        agent = agent_get(pk)
        data = AgentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not request.user.is_supervisor_or_admin:
            if agent.pk != request.user.pk:
                raise PermissionDenied(_("Only supervisors and admins change other agents."))
            if set(values) - {"status"}:
                raise PermissionDenied(_("Agents may change only their own status."))
        agent_update(actor=request.user, agent=agent, **values)
        return Response(AgentSerializer(agent_get(agent.pk)).data)
