"""Shapes only: business rules are checked in sla.services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from panel1.api import fields
from panel1.api.serializers import ModelSerializer
from sla.models import SlaProfile
from sla.services.profiles import PROFILE_FIELDS
from tickets.models import Category, Priority


class EscalationRuleSerializer(serializers.Serializer):
    after_minutes = serializers.IntegerField(min_value=0)
    notify_user_ids = serializers.ListField(child=serializers.UUIDField(), required=False)
    assign_to_id = serializers.UUIDField(required=False, allow_null=True)
    change_priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_null=True
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class SlaProfileSerializer(ModelSerializer):
    business_hours = serializers.JSONField(
        required=False,
        help_text=_(
            '{"timezone": "America/New_York", "monday": {"start": "09:00", "end": "17:00",'
            ' "enabled": true}, ...}; absent or {} = around the clock'
        ),
    )
    holidays = serializers.ListField(child=fields.DateField(), required=False, max_length=1000)
    recurring_holidays = serializers.ListField(
        child=serializers.CharField(max_length=5),
        required=False,
        help_text=_('Holidays every year, as "MM-DD"'),
    )
    priorities = serializers.ListField(
        child=serializers.ChoiceField(choices=Priority.choices), required=False
    )
    categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Category.objects.all(), required=False
    )
    escalation_rules = EscalationRuleSerializer(many=True, required=False)
    next_response_time = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    class Meta:
        model = SlaProfile
        fields = ["id", *PROFILE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness and the rest are the service's business (one message style, one place).
        extra_kwargs = {"name": {"validators": []}, "is_default": {"validators": []}}
        validators = []


class SlaStatsSerializer(serializers.Serializer):
    first_response_sla_rate = serializers.FloatField(allow_null=True)
    resolution_sla_rate = serializers.FloatField(allow_null=True)
    breached_tickets = serializers.IntegerField()
    at_risk_tickets = serializers.IntegerField()


class SlaExplanationSerializer(serializers.Serializer):
    ticket = serializers.UUIDField()
    number = serializers.CharField()
    profile = serializers.DictField(allow_null=True)
    status = serializers.DictField()
    calculation = serializers.DictField()
    escalations_applied = serializers.ListField(child=serializers.CharField())
    log = serializers.ListField(child=serializers.DictField())
