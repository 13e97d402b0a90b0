from django.db import models
from rest_framework import serializers

from panel1.accounts.models import User
from panel1.api import fields


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    tenant = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "language", "timezone", "tenant"]
        read_only_fields = fields

    def get_tenant(self, user) -> dict:
        tenant = self.context["request"].tenant
        return {"schema": tenant.schema_name, "name": tenant.brand_name}


class ModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose generated text fields follow panel1.text and the column limits.

    Model CharFields become one-line fields (no controls, no bidi overrides), TextFields
    refuse control characters, EmailFields are capped at 254 and dates at what the calendar
    can represent.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: fields.OneLineField,
        models.TextField: fields.TextField,
        models.EmailField: fields.EmailField,
        models.DateField: fields.DateField,
    }
