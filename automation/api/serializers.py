"""Shapes only: rule definitions are validated by automation.services.rule_validate."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from automation.models import TRIGGER_EVENTS, AutoResponseTemplate, Rule, RuleRun
from automation.services import secrets_mask
from panel1.api.serializers import ModelSerializer


class RuleSerializer(ModelSerializer):
    trigger_event = serializers.ChoiceField(choices=TRIGGER_EVENTS)
    conditions = serializers.JSONField(
        required=False,
        help_text=_('List of {field, operator, value} (all must hold), or {"any"|"all": [...]}.'),
    )
    actions = serializers.JSONField(help_text=_("List of {type, parameters}."))
    position = serializers.IntegerField(min_value=0, required=False)
    idle_hours = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("ticket.idle rules only.")
    )

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "description",
            "trigger_event",
            "conditions",
            "actions",
            "is_active",
            "position",
            "stop_processing",
            "idle_hours",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["actions"] = secrets_mask(data["actions"])
        return data


class RuleRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleRun
        fields = [
            "id",
            "rule",
            "event_name",
            "event_id",
            "ticket",
            "ticket_number",
            "matched",
            "actions_applied",
            "errors",
            "dry_run",
            "chain",
            "duration_ms",
            "created_at",
        ]
        read_only_fields = fields


class RuleTestSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=64, help_text=_("Ticket UUID or number."))


class TicketRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()


class ConditionExplanationSerializer(serializers.Serializer):
    path = serializers.CharField()
    field = serializers.CharField()
    operator = serializers.CharField()
    expected = serializers.JSONField(allow_null=True)
    actual = serializers.JSONField(allow_null=True)
    result = serializers.BooleanField()


class PlannedActionSerializer(serializers.Serializer):
    type = serializers.CharField()
    parameters = serializers.JSONField()
    description = serializers.CharField()


class RuleTestResultSerializer(serializers.Serializer):
    rule = serializers.UUIDField()
    ticket = TicketRefSerializer()
    matched = serializers.BooleanField()
    conditions = ConditionExplanationSerializer(many=True)
    actions = PlannedActionSerializer(many=True)
    context = serializers.DictField()
    errors = serializers.ListField(child=serializers.CharField())


class RuleReorderSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), max_length=1000)


class RegistrySerializer(serializers.Serializer):
    triggers = serializers.ListField(child=serializers.CharField())
    fields = serializers.ListField(child=serializers.DictField())
    operators = serializers.ListField(child=serializers.DictField())
    actions = serializers.ListField(child=serializers.DictField())
    templates = serializers.ListField(child=serializers.CharField())
    placeholders = serializers.DictField(child=serializers.CharField())


class AutoResponseTemplateSerializer(ModelSerializer):
    name = serializers.SlugField(max_length=100)

    class Meta:
        model = AutoResponseTemplate
        fields = ["name", "description", "subject", "body", "is_active", "updated_at"]
        read_only_fields = ["updated_at"]
